;; CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) by slicing-by-16: the source of the WebAssembly
;; module embedded in crc32c-wasm.ts. Rebuild with:  wat2wasm crc32c.wat --output=- | base64 -w0
;;
;; Memory layout (17 pages): sixteen 256-entry i32 tables at 0..16 KiB, filled by the host (table k at
;; k * 1024 holds the CRC of byte i followed by k zero bytes), then the input window from 16 KiB.
(module
  (memory (export "memory") 17)

  ;; $crc continues the CRC `c` (0 to start) over `n` bytes at `p` and returns the new CRC.
  (func (export "crc") (param $p i32) (param $n i32) (param $c i32) (result i32)
    (local $w0 i32) (local $w1 i32) (local $w2 i32) (local $w3 i32)
    (local.set $c (i32.xor (local.get $c) (i32.const -1)))
    ;; 16 bytes per step: four little-endian words, every byte looked up in its own table.
    (block $wide_done
      (loop $wide
        (br_if $wide_done (i32.lt_u (local.get $n) (i32.const 16)))
        (local.set $w0 (i32.xor (i32.load (local.get $p)) (local.get $c)))
        (local.set $w1 (i32.load offset=4 (local.get $p)))
        (local.set $w2 (i32.load offset=8 (local.get $p)))
        (local.set $w3 (i32.load offset=12 (local.get $p)))
        (local.set $c
          (i32.xor
            (i32.xor
              (i32.xor
                (i32.xor
                  (i32.load offset=15360 (i32.shl (i32.and (local.get $w0) (i32.const 255)) (i32.const 2)))
                  (i32.load offset=14336 (i32.shl (i32.and (i32.shr_u (local.get $w0) (i32.const 8)) (i32.const 255)) (i32.const 2))))
                (i32.xor
                  (i32.load offset=13312 (i32.shl (i32.and (i32.shr_u (local.get $w0) (i32.const 16)) (i32.const 255)) (i32.const 2)))
                  (i32.load offset=12288 (i32.shl (i32.shr_u (local.get $w0) (i32.const 24)) (i32.const 2)))))
              (i32.xor
                (i32.xor
                  (i32.load offset=11264 (i32.shl (i32.and (local.get $w1) (i32.const 255)) (i32.const 2)))
                  (i32.load offset=10240 (i32.shl (i32.and (i32.shr_u (local.get $w1) (i32.const 8)) (i32.const 255)) (i32.const 2))))
                (i32.xor
                  (i32.load offset=9216 (i32.shl (i32.and (i32.shr_u (local.get $w1) (i32.const 16)) (i32.const 255)) (i32.const 2)))
                  (i32.load offset=8192 (i32.shl (i32.shr_u (local.get $w1) (i32.const 24)) (i32.const 2))))))
            (i32.xor
              (i32.xor
                (i32.xor
                  (i32.load offset=7168 (i32.shl (i32.and (local.get $w2) (i32.const 255)) (i32.const 2)))
                  (i32.load offset=6144 (i32.shl (i32.and (i32.shr_u (local.get $w2) (i32.const 8)) (i32.const 255)) (i32.const 2))))
                (i32.xor
                  (i32.load offset=5120 (i32.shl (i32.and (i32.shr_u (local.get $w2) (i32.const 16)) (i32.const 255)) (i32.const 2)))
                  (i32.load offset=4096 (i32.shl (i32.shr_u (local.get $w2) (i32.const 24)) (i32.const 2)))))
              (i32.xor
                (i32.xor
                  (i32.load offset=3072 (i32.shl (i32.and (local.get $w3) (i32.const 255)) (i32.const 2)))
                  (i32.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $w3) (i32.const 8)) (i32.const 255)) (i32.const 2))))
                (i32.xor
                  (i32.load offset=1024 (i32.shl (i32.and (i32.shr_u (local.get $w3) (i32.const 16)) (i32.const 255)) (i32.const 2)))
                  (i32.load (i32.shl (i32.shr_u (local.get $w3) (i32.const 24)) (i32.const 2))))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $n (i32.sub (local.get $n) (i32.const 16)))
        (br $wide)))
    ;; The last 0-15 bytes one at a time with table 0.
    (block $narrow_done
      (loop $narrow
        (br_if $narrow_done (i32.eqz (local.get $n)))
        (local.set $c
          (i32.xor
            (i32.shr_u (local.get $c) (i32.const 8))
            (i32.load (i32.shl (i32.and (i32.xor (local.get $c) (i32.load8_u (local.get $p))) (i32.const 255)) (i32.const 2)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $narrow)))
    (i32.xor (local.get $c) (i32.const -1))))
