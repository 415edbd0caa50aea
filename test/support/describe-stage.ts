/**
 * A stage as the services describe it (Lambda, Step Functions, EventBridge, SNS, CloudWatch),
 * normalized so two stages deployed differently (the deploy module's API calls, a CloudFormation
 * stack) compare equal when they have the same resources and settings: the stage name becomes
 * `<stage>`, and what only says when or how a resource was made (dates, revision ids, versions,
 * states, CloudFormation's own tags) is left out.
 */
import { DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { DescribeRuleCommand, ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { DescribeStateMachineCommand, ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { GetTopicAttributesCommand, ListTopicsCommand } from '@aws-sdk/client-sns';
import {
  createCloudWatchClient,
  createEventBridgeClient,
  createLambdaClient,
  createSfnClient,
  createSnsClient,
} from '../../src/aws/clients.ts';
import type { KitConfig } from '../../src/config.ts';
import { resourceNames, retrainingNames } from '../../src/workflow/names.ts';

export interface StageDescription {
  functions: unknown[];
  stateMachines: unknown[];
  rules: unknown[];
  topic: unknown;
  alarms: unknown[];
}

/** JSON strings inside (definitions, patterns, policies) parsed, so key order does not matter. */
const parsed = (text: string | undefined) => (text ? (JSON.parse(text) as unknown) : undefined);
const byName = <T>(items: T[], name: (item: T) => string) =>
  [...items].sort((a, b) => name(a).localeCompare(name(b)));

function normalized<T>(value: T, stage: string): T {
  const pattern = new RegExp(`\\b${stage}\\b`, 'g');
  const text = JSON.stringify(value, (_key, field) =>
    field && typeof field === 'object' && !Array.isArray(field)
      ? Object.fromEntries(Object.entries(field).sort(([a], [b]) => a.localeCompare(b)))
      : field,
  );
  return JSON.parse(text.replace(pattern, '<stage>')) as T;
}

async function functions(config: KitConfig, stage: string) {
  const names = resourceNames(stage);
  const all = [
    ...Object.values(names.functions),
    names.batchFunction,
    ...Object.values(retrainingNames(stage).functions),
  ];
  const lambda = createLambdaClient(config);
  return Promise.all(
    all.map(async (name) => {
      const fn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
      return {
        name: fn.FunctionName,
        role: fn.Role,
        runtime: fn.Runtime,
        handler: fn.Handler,
        memory: fn.MemorySize,
        timeout: fn.Timeout,
        architectures: fn.Architectures,
        codeSha256: fn.CodeSha256,
        environment: fn.Environment?.Variables,
        ephemeralStorage: fn.EphemeralStorage,
        tracing: fn.TracingConfig,
        layers: fn.Layers,
        logging: fn.LoggingConfig,
      };
    }),
  );
}

async function stateMachines(config: KitConfig, stage: string) {
  const sfn = createSfnClient(config);
  const { stateMachines: listed = [] } = await sfn.send(new ListStateMachinesCommand({}));
  const ours = listed.filter((machine) => machine.name?.startsWith(`scones-${stage}-`));
  const described = await Promise.all(
    ours.map(async (machine) => {
      const one = await sfn.send(
        new DescribeStateMachineCommand({ stateMachineArn: machine.stateMachineArn }),
      );
      return {
        name: one.name,
        arn: one.stateMachineArn,
        type: one.type,
        role: one.roleArn,
        definition: parsed(one.definition),
        logging: one.loggingConfiguration,
        tracing: one.tracingConfiguration,
      };
    }),
  );
  return byName(described, (machine) => machine.name ?? '');
}

async function rules(config: KitConfig, stage: string) {
  const events = createEventBridgeClient(config);
  const { Rules = [] } = await events.send(new ListRulesCommand({ NamePrefix: `scones-${stage}-` }));
  const described = await Promise.all(
    Rules.map(async ({ Name }) => {
      const rule = await events.send(new DescribeRuleCommand({ Name }));
      const { Targets = [] } = await events.send(new ListTargetsByRuleCommand({ Rule: Name }));
      return {
        name: rule.Name,
        arn: rule.Arn,
        pattern: parsed(rule.EventPattern),
        state: rule.State,
        description: rule.Description,
        targets: byName(Targets, (target) => target.Id ?? '').map((target) => ({
          id: target.Id,
          arn: target.Arn,
          role: target.RoleArn,
          input: target.Input,
          inputPath: target.InputPath,
          inputTransformer: target.InputTransformer && {
            paths: target.InputTransformer.InputPathsMap,
            template: target.InputTransformer.InputTemplate,
          },
        })),
      };
    }),
  );
  return byName(described, (rule) => rule.name ?? '');
}

async function topic(config: KitConfig, stage: string) {
  const sns = createSnsClient(config);
  const { Topics = [] } = await sns.send(new ListTopicsCommand({}));
  const arn = Topics.find((one) => one.TopicArn?.endsWith(`:scones-${stage}-execution-failures`))?.TopicArn;
  if (!arn) return undefined;
  const { Attributes = {} } = await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
  return { arn, policy: parsed(Attributes.Policy), displayName: Attributes.DisplayName };
}

async function alarms(config: KitConfig, stage: string) {
  const { MetricAlarms = [] } = await createCloudWatchClient(config).send(
    new DescribeAlarmsCommand({ AlarmNamePrefix: `scones-${stage}-` }),
  );
  const settings = (alarm: MetricAlarm) => ({
    name: alarm.AlarmName,
    description: alarm.AlarmDescription,
    namespace: alarm.Namespace,
    metric: alarm.MetricName,
    dimensions: byName(alarm.Dimensions ?? [], (dimension) => dimension.Name ?? ''),
    statistic: alarm.Statistic,
    period: alarm.Period,
    evaluationPeriods: alarm.EvaluationPeriods,
    datapointsToAlarm: alarm.DatapointsToAlarm,
    threshold: alarm.Threshold,
    comparison: alarm.ComparisonOperator,
    treatMissingData: alarm.TreatMissingData,
    metrics: alarm.Metrics,
    actionsEnabled: alarm.ActionsEnabled,
    alarmActions: alarm.AlarmActions,
    okActions: alarm.OKActions,
  });
  return byName(MetricAlarms.map(settings), (alarm) => alarm.name ?? '');
}

export async function describeStage(config: KitConfig, stage: string): Promise<StageDescription> {
  const [fns, machines, ruleList, topicDescription, alarmList] = await Promise.all([
    functions(config, stage),
    stateMachines(config, stage),
    rules(config, stage),
    topic(config, stage),
    alarms(config, stage),
  ]);
  return normalized(
    { functions: fns, stateMachines: machines, rules: ruleList, topic: topicDescription, alarms: alarmList },
    stage,
  );
}
