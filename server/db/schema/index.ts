export * from "./enums";
export * from "./admins";
export * from "./nodes";
export * from "./users";
export * from "./health";
export * from "./operations";
export * from "./system";
export * from "./traffic";
