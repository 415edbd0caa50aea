/**
 * Where the embedded tier keeps its S3 data between runs. A module of its own so that the CLI's
 * option help can name it without loading the runtime (the SDK, the engine, sharp).
 */
export const DEFAULT_DATA_DIR = '.scones/embedded';
