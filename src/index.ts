export * from "./xdr/index.js";
export * as gen from "./gen/index.js";
