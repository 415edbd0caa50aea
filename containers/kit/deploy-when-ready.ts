/**
 * The compose `deploy` one-shot: waits until its peers answer, then runs the deploy module once.
 *
 * Compose healthchecks never run under podman without systemd, so `depends_on: condition:
 * service_healthy` would wait forever there; polling here works on every engine.
 *
 * Environment: the config module's (SCONES_TARGET, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SFN, ...) say
 * where to deploy; the same variables prefixed with LAMBDA_ say which endpoints the deployed Lambdas
 * must use (they run elsewhere and may see other host names). DEPLOY_WAIT_SECONDS bounds the wait.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createLambdaClient, createSfnClient, createStsClient } from '../../src/aws/clients.ts';
import { loadConfig, type Service } from '../../src/config.ts';
import { deploy } from '../../src/deploy/index.ts';

const LAMBDA_PREFIX = 'LAMBDA_';
const LAMBDA_SERVICES: Service[] = ['s3', 'sagemakerRuntime'];

/** AWS_ENDPOINT_URL_* variables as the Lambdas must see them, read through the config module. */
function lambdaEndpoints(env: NodeJS.ProcessEnv): Partial<Record<Service, string>> {
  const unprefixed = Object.fromEntries(
    Object.entries(env)
      .filter(([name]) => name.startsWith(`${LAMBDA_PREFIX}AWS_ENDPOINT_URL`))
      .map(([name, value]) => [name.slice(LAMBDA_PREFIX.length), value]),
  );
  const lambdaConfig = loadConfig(unprefixed);
  return Object.fromEntries(LAMBDA_SERVICES.map((service) => [service, lambdaConfig.endpointFor(service)]));
}

interface Peer {
  name: string;
  ready(): Promise<unknown>;
}

async function waitFor(peers: Peer[], deadline: number): Promise<void> {
  const pending = new Set(peers);
  while (pending.size > 0) {
    const errors = new Map<string, string>();
    for (const peer of [...pending]) {
      try {
        await peer.ready();
        pending.delete(peer);
        console.log(`deploy: ${peer.name} is ready`);
      } catch (error) {
        errors.set(peer.name, error instanceof Error ? error.message : String(error));
      }
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline) {
      const reasons = [...errors].map(([name, message]) => `${name}: ${message}`).join('; ');
      throw new Error(`peers not ready in time (${reasons})`);
    }
    await sleep(1000);
  }
}

/** Any HTTP answer means the server is up; the endpoint's routes are not this script's business. */
async function httpAnswers(url: string): Promise<void> {
  await fetch(url, { signal: AbortSignal.timeout(2000) });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const endpoints = lambdaEndpoints(process.env);
  const waitSeconds = Number(process.env.DEPLOY_WAIT_SECONDS ?? 180);
  const quick = { maxAttempts: 1 };
  const peers: Peer[] = [
    { name: 'STS', ready: () => createStsClient(config, quick).send(new GetCallerIdentityCommand({})) },
    { name: 'Lambda', ready: () => createLambdaClient(config, quick).send(new ListFunctionsCommand({})) },
    {
      name: 'Step Functions',
      ready: () => createSfnClient(config, quick).send(new ListStateMachinesCommand({})),
    },
  ];
  const endpointUrl = endpoints.sagemakerRuntime;
  if (endpointUrl) peers.push({ name: `endpoint ${endpointUrl}`, ready: () => httpAnswers(endpointUrl) });

  await waitFor(peers, Date.now() + waitSeconds * 1000);
  const result = await deploy({ config, lambdaEndpoints: endpoints });
  console.log(`deploy: state machine ${result.stateMachineArn}`);
}

main().catch((error: unknown) => {
  console.error(`deploy failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
