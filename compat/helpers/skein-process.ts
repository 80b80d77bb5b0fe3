// The compat tests run Skein through the same process harness as the crash and full-disk tests.
export * from '../../test/helpers/skein-process.js';
