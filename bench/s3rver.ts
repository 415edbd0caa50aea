/** s3rver (npm) on a free loopback port with one bucket: the reference the local S3 server is measured against. */
import S3rver from 's3rver';

export async function startS3rver(directory: string, bucket: string) {
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    directory,
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    // The only keys s3rver accepts.
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    stop: () => server.close(),
  };
}
