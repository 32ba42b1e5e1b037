import { IsNotEmpty, IsOptional, IsString } from 'class-validator';
import { EcpayFormNotificationDto } from './ecpay-notification-base.dto.js';
import { IsEcpayDateTime, IsUnsignedIntegerString } from './ecpay-notification.validators.js';

/**
 * The PaymentInfoURL notification (取號結果: ATM virtual account, CVS code or BARCODE issued; docs/protocol.md §6.3) as
 * posted. RtnCode 2 (ATM) or 10100073 (CVS/BARCODE) means the code was issued.
 *
 * @publicApi
 */
export class PaymentInfoNotificationDto extends EcpayFormNotificationDto {
  @IsString()
  @IsNotEmpty()
  TradeNo!: string;

  @IsUnsignedIntegerString()
  TradeAmt!: string;

  @IsString()
  @IsNotEmpty()
  PaymentType!: string;

  @IsEcpayDateTime()
  TradeDate!: string;

  /** ATM: `yyyy/MM/dd` (the whole day); CVS/BARCODE: `yyyy/MM/dd HH:mm:ss`. Blank when no code was issued. */
  @IsEcpayDateTime(true)
  ExpireDate!: string;

  /** ATM: the bank code. */
  @IsOptional()
  @IsString()
  BankCode?: string;

  /** ATM: the virtual account number. */
  @IsOptional()
  @IsString()
  vAccount?: string;

  /** CVS: the payment code. */
  @IsOptional()
  @IsString()
  PaymentNo?: string;

  /** BARCODE: the three barcodes. */
  @IsOptional()
  @IsString()
  Barcode1?: string;

  @IsOptional()
  @IsString()
  Barcode2?: string;

  @IsOptional()
  @IsString()
  Barcode3?: string;
}
