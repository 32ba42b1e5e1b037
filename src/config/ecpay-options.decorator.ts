import { Inject } from '@nestjs/common';
import { ECPAY_RESOLVED_OPTIONS } from './ecpay.constants.js';

/** Injects the validated {@link ResolvedEcpayOptions}. @publicApi */
export const InjectEcpayOptions = (): ParameterDecorator => Inject(ECPAY_RESOLVED_OPTIONS);

/** The token of the validated options, for `Test.createTestingModule` overrides. @publicApi */
export const getEcpayOptionsToken = (): symbol => ECPAY_RESOLVED_OPTIONS;
