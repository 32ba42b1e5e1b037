import { IsIn, IsOptional, IsString } from 'class-validator';
import { EcpayFormNotificationDto } from './ecpay-notification-base.dto.js';
import { IsEcpayDateTime, IsUnsignedIntegerString } from './ecpay-notification.validators.js';

/**
 * The PeriodReturnURL notification (定期定額, each authorization after the first; docs/protocol.md §6.4) as posted.
 *
 * @publicApi
 */
export class PeriodReturnNotificationDto extends EcpayFormNotificationDto {
  @IsIn(['D', 'M', 'Y'], { message: '$property must be D, M or Y' })
  PeriodType!: string;

  @IsUnsignedIntegerString()
  Frequency!: string;

  @IsUnsignedIntegerString()
  ExecTimes!: string;

  /** This authorization's amount. */
  @IsUnsignedIntegerString()
  Amount!: string;

  /** The authorization's serial number (blank when it failed); also read from a posted `gwsr`. */
  @IsString()
  Gwsr!: string;

  /** Blank when the authorization did not happen. */
  @IsEcpayDateTime(true)
  ProcessDate!: string;

  @IsString()
  AuthCode!: string;

  @IsUnsignedIntegerString()
  FirstAuthAmount!: string;

  @IsUnsignedIntegerString()
  TotalSuccessTimes!: string;

  /** Not in every capture of this notification; absent means `0`. */
  @IsOptional()
  @IsIn(['0', '1'], { message: '$property must be 0 or 1' })
  SimulatePaid?: string;
}
