import { IsIn, IsNotEmpty, IsString } from 'class-validator';
import { EcpayFormNotificationDto } from './ecpay-notification-base.dto.js';
import { IsDecimalString, IsEcpayDateTime, IsUnsignedIntegerString } from './ecpay-notification.validators.js';

/**
 * The AIO ReturnURL notification (付款結果通知, docs/protocol.md §6.2) as posted: every value a string. Fields that
 * NeedExtraPaidInfo=Y adds are not listed; they stay in the notification's `raw`.
 *
 * @publicApi
 */
export class AioReturnNotificationDto extends EcpayFormNotificationDto {
  @IsString()
  @IsNotEmpty()
  TradeNo!: string;

  @IsUnsignedIntegerString()
  TradeAmt!: string;

  /** Blank when nothing was paid. */
  @IsEcpayDateTime(true)
  PaymentDate!: string;

  @IsString()
  @IsNotEmpty()
  PaymentType!: string;

  @IsDecimalString()
  PaymentTypeChargeFee!: string;

  @IsEcpayDateTime()
  TradeDate!: string;

  /** `1`: a simulated payment from the vendor back office — no money moved. */
  @IsIn(['0', '1'], { message: '$property must be 0 or 1' })
  SimulatePaid!: string;
}
