/**
 * `scones emulator --engine localstack`: LocalStack as a host process (no Docker) in the
 * foreground until Ctrl-C, with the kit's test cases as its Step Functions mock configuration.
 */
import { LocalStackServer } from '../emulator/localstack.ts';
import { MOCK_CONFIG_FILE } from '../test-cases/suite.ts';
import { log } from './log.ts';

export async function localStackCommand(options: { port: number }): Promise<void> {
  log(
    'starting LocalStack (first run: installs it into .venv-localstack/ from requirements-localstack.txt) ...',
  );
  const server = await new LocalStackServer()
    .withPort(options.port)
    .withMockConfig(MOCK_CONFIG_FILE)
    .withStartupTimeout(600_000)
    .start();
  log(`LocalStack is listening on ${server.url} (ready in ${server.startupMs} ms). In another terminal:`);
  log('  npx scones deploy --target emulator --no-functions   # bucket, roles, state machine');
  log(`  aws --endpoint-url ${server.url} stepfunctions start-execution \\`);
  log(
    '    --state-machine-arn arn:aws:states:us-east-1:000000000000:stateMachine:scones-dev-image-classification#ConfidentBicycle \\',
  );
  log('    --input \'{"s3_bucket":"scones-images","s3_key":"test/bicycle_s_000017.png"}\'');
  log(
    'Without a container engine LocalStack stores Lambda functions but cannot run them: run the state machine with its Lambda states mocked (test cases in statemachine/test-cases/MockConfigFile.json).',
  );
  log('Ctrl-C stops it.');
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await server.stop();
}
