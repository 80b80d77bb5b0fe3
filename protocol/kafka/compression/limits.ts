// Bounds on decompression. A few kilobytes of compressed input can claim gigabytes of output (zip bombs), so
// every decoder stops at a caller-chosen maximum instead of trusting sizes the input announces.

/**
 * Default ceiling on one batch's decompressed records. Far above any real producer batch (Kafka's default
 * max.message.bytes is 1 MiB compressed), low enough that a hostile batch cannot exhaust memory.
 */
export const MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;
