/**
 * An HTTP endpoint subscribed to an SNS topic, for tests: it confirms its subscription (SNS posts a
 * SubscriptionConfirmation with a Token first, as AWS does for http endpoints) and keeps every
 * Notification it receives. Listens on 127.0.0.1 at a free port.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfirmSubscriptionCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';

export interface SnsNotification {
  subject?: string;
  /** The Message as published (here: the InputTransformer's output, a JSON text). */
  message: string;
  topicArn: string;
}

export interface SnsSubscriber {
  url: string;
  notifications: SnsNotification[];
  /** Resolves once SNS has confirmed the subscription. */
  confirmed: Promise<void>;
  stop(): Promise<void>;
}

export async function subscribeHttpEndpoint(sns: SNSClient, topicArn: string): Promise<SnsSubscriber> {
  const notifications: SnsNotification[] = [];
  let resolveConfirmed: () => void = () => {};
  let rejectConfirmed: (error: unknown) => void = () => {};
  const confirmed = new Promise<void>((resolve, reject) => {
    resolveConfirmed = resolve;
    rejectConfirmed = reject;
  });
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      response.end();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        Type: string;
        Token?: string;
        TopicArn: string;
        Subject?: string;
        Message: string;
      };
      if (body.Type === 'SubscriptionConfirmation') {
        sns
          .send(new ConfirmSubscriptionCommand({ TopicArn: body.TopicArn, Token: body.Token }))
          .then(() => resolveConfirmed(), rejectConfirmed);
      } else if (body.Type === 'Notification') {
        notifications.push({
          message: body.Message,
          topicArn: body.TopicArn,
          ...(body.Subject ? { subject: body.Subject } : {}),
        });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: url }));
  return {
    url,
    notifications,
    confirmed,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
