// The tokens moved to src/tokens/ecpay.tokens.ts (one file for every token and metadata key); re-exported here.
export * from '../tokens/ecpay.tokens.js';
