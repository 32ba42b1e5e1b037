import { Injectable } from '@nestjs/common';

/**
 * A switch that makes the demo's payment handler throw, so the operations page can be seen at work: retries, the
 * event parked as `failed`, the re-drive. Only the sandbox-only controller flips it; outside the sandbox it stays off.
 */
@Injectable()
export class DemoFaults {
  paymentHandlerFails = false;
}
