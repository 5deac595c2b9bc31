declare const __AIO_TUNER_VERSION__: string | undefined;
/** Injected by the bundler; tests run from source and fall back to "dev". */
export const VERSION: string = typeof __AIO_TUNER_VERSION__ === 'string' ? __AIO_TUNER_VERSION__ : 'dev';
