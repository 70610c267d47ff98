/** A clock collaborator, so services that reason about time can be tested at any instant. */
export type Clock = { now: () => Date };

export const systemClock: Clock = { now: () => new Date() };
