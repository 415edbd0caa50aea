/** Why a rollout or rollback is refused: each names the problem and what to do about it. */

export class RegistryError extends Error {
  override name = 'RegistryError';
}

/** The version asked for is not in the model package group. */
export class UnknownModelVersion extends RegistryError {
  override name = 'UnknownModelVersion';
}

/** A Rejected (or not yet approved) version without --force. */
export class VersionNotApproved extends RegistryError {
  override name = 'VersionNotApproved';
}

/** The endpoint is already being updated (a rollout, a retraining's update): never two at once. */
export class RolloutInProgress extends RegistryError {
  override name = 'RolloutInProgress';
}

/** Nothing to deploy onto (no endpoint, or a Failed one), or nothing to go back to. */
export class NothingToRollBackTo extends RegistryError {
  override name = 'NothingToRollBackTo';
}

export class EndpointNotReady extends RegistryError {
  override name = 'EndpointNotReady';
}

/** The endpoint did not settle in time (the update goes on; DescribeEndpoint shows it). */
export class RolloutTimeout extends RegistryError {
  override name = 'RolloutTimeout';
}
