import { EcpayNotification } from './ecpay-notification.entity.js';
import { EcpayBoundCard } from './ecpay-bound-card.entity.js';
import { EcpayRateLimit } from './ecpay-rate-limit.entity.js';
import { EcpayTradeAction } from './ecpay-trade-action.entity.js';
import { EcpayTrade } from './ecpay-trade.entity.js';

/**
 * The entities of nestjs-ecpay, for `TypeOrmModule.forRoot({ entities: [...ECPAY_ENTITIES, ...] })` and
 * `TypeOrmModule.forFeature([...ECPAY_ENTITIES])`.
 *
 * @publicApi
 */
export const ECPAY_ENTITIES = [
  EcpayTrade,
  EcpayBoundCard,
  EcpayNotification,
  EcpayRateLimit,
  EcpayTradeAction,
] as const;
