// rewardlab's library entry: the public surface of each layer, bottom to top.

// errors shared by every layer
export * from "./errors.js";
