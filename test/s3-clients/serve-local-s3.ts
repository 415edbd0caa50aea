/**
 * The local S3 server alone in its own process, for measuring it from outside (e.g. a 1 GB
 * multipart upload through aws-cli or lib-storage, with the server's peak RSS):
 *
 *   node test/s3-clients/serve-local-s3.ts [bucket]     # prints the endpoint, then serves
 *
 * On SIGINT/SIGTERM it prints its peak RSS (`process.resourceUsage().maxRSS`) and stops, removing
 * its temporary data folder.
 */
import { startLocalS3 } from '../../src/embedded/s3/index.ts';

const server = await startLocalS3({ buckets: [process.argv[2] ?? 'measure-bucket'] });
console.log(server.endpoint);
const stop = async () => {
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
