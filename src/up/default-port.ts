/**
 * Where LocalStack, MiniStack and the AWS tools' local setups expect a local AWS. A module of its
 * own so that the CLI's option help can name it without loading the stack.
 */
export const DEFAULT_UP_PORT = 4566;
