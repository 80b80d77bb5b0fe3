// Takes the data-directory lock of argv[2], prints "LOCKED <pid>", then waits to be killed.
import { DirLock } from '../../../dist/src/fs/dir-lock.js';

await DirLock.acquire(process.argv[2]);
process.stdout.write(`LOCKED ${process.pid}\n`);
setInterval(() => {}, 60_000);
