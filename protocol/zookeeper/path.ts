// Znode path rules, as ZooKeeper's PathUtils enforces them: absolute, no empty, "." or ".." components,
// no trailing slash (except the root), and none of the characters ZooKeeper reserves (NUL, control
// characters, surrogates and private use, U+FFF0..U+FFFF).

/** Why `path` is not a valid znode path, or undefined when it is. */
export function pathProblem(path: string): string | undefined {
  if (path.length === 0) return 'path is empty';
  if (path.charCodeAt(0) !== 0x2f) return 'path must start with /';
  if (path.length === 1) return undefined;
  if (path.charCodeAt(path.length - 1) === 0x2f) return 'path must not end with /';
  let last = 0x2f;
  for (let i = 1; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 0) return `null character at ${i}`;
    if (c === 0x2f && last === 0x2f) return `empty node name at ${i}`;
    if (c === 0x2e) {
      const startsName = last === 0x2f;
      const dotDot = last === 0x2e && path.charCodeAt(i - 2) === 0x2f;
      const endsName = i + 1 === path.length || path.charCodeAt(i + 1) === 0x2f;
      if ((startsName || dotDot) && endsName) return `relative path component at ${i}`;
    } else if (
      (c > 0 && c <= 0x1f) ||
      (c >= 0x7f && c <= 0x9f) ||
      (c >= 0xd800 && c <= 0xf8ff) ||
      c >= 0xfff0
    ) {
      return `invalid character at ${i}`;
    }
    last = c;
  }
  return undefined;
}

export function isValidPath(path: string): boolean {
  return pathProblem(path) === undefined;
}

/** The parent of a valid non-root path ("/" for top-level nodes). */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** The last component of a valid non-root path. */
export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
