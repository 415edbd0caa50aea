/** Shapes of the local STS: who the local account's caller is. */

export interface StsServiceOptions {
  /** Default the local account `000000000000`. */
  accountId?: string;
}

export interface CallerIdentity {
  UserId: string;
  Account: string;
  Arn: string;
}

export interface StsService {
  /** Runs `action` on the request's parameters (form fields); throws a StsError. */
  call(action: string, parameters: Readonly<Record<string, string>>): CallerIdentity;
  readonly actions: readonly string[];
}
