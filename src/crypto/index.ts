// The crypto concern: AES (CBC for the JSON envelope, GCM where ECPay uses it) and the envelope's shape.
// parseJson stays internal: it only maps a bad decrypted JSON to EcpayDecryptionError for the envelope.
export {
  decryptEcpayData,
  decryptEcpayPayload,
  decryptEcpayPayloadGcm,
  encryptEcpayData,
  encryptEcpayPayload,
  encryptEcpayPayloadGcm,
} from './ecpay-aes.js';
export * from './ecpay-crypto.service.js';
export type * from './ecpay-envelope.interface.js';
