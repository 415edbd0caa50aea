/**
 * The local STS, without HTTP: `GetCallerIdentity` answers the local account's root, whatever key
 * signed the request (the local services check no signatures).
 */

import { LOCAL_ACCOUNT } from '../shared/index.ts';
import { InvalidAction } from './errors.ts';
import type { CallerIdentity, StsService, StsServiceOptions } from './types.ts';

export function createStsService(options: StsServiceOptions = {}): StsService {
  const account = options.accountId ?? LOCAL_ACCOUNT;
  const operations: Record<string, () => CallerIdentity> = {
    GetCallerIdentity: () => ({ UserId: account, Account: account, Arn: `arn:aws:iam::${account}:root` }),
  };
  return {
    actions: Object.keys(operations),
    call(action) {
      const operation = Object.hasOwn(operations, action) ? operations[action] : undefined;
      if (!operation)
        throw new InvalidAction(
          `Could not find operation ${action} for version 2011-06-15 (the local STS serves ${Object.keys(operations).join(', ')})`,
        );
      return operation();
    },
  };
}
