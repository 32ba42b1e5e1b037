import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { MERCHANT_ID_PATTERN, MERCHANT_TRADE_NO_MAX_LENGTH } from '../../rules/index.js';
import { IsIntegerString } from './ecpay-notification.validators.js';

/**
 * The fields every AIO form notification carries, as strings exactly as posted. Subclasses add their own.
 * Validated only after the CheckMacValue was verified.
 */
export abstract class EcpayFormNotificationDto {
  @Matches(MERCHANT_ID_PATTERN, { message: '$property must be 1 to 10 letters or digits' })
  MerchantID!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(MERCHANT_TRADE_NO_MAX_LENGTH)
  MerchantTradeNo!: string;

  @IsOptional()
  @IsString()
  StoreID?: string;

  @IsIntegerString()
  RtnCode!: string;

  @IsString()
  RtnMsg!: string;

  @IsOptional()
  @IsString()
  CustomField1?: string;

  @IsOptional()
  @IsString()
  CustomField2?: string;

  @IsOptional()
  @IsString()
  CustomField3?: string;

  @IsOptional()
  @IsString()
  CustomField4?: string;
}
