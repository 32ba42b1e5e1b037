import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EcpayHealthModule } from 'nestjs-ecpay/health';
import { HealthController } from './health.controller.js';

// Import beside EcpayModule (in AppModule's imports).
@Module({
  imports: [
    TerminusModule,
    EcpayHealthModule.forRoot({
      maxPendingAgeMs: 5 * 60_000, // an event waiting longer for its handlers is degraded
      maxParkedEvents: 0, // any parked event is degraded until it is re-driven
      maxRejections: 5, // refused notifications (bad CheckMacValue…) per rejectionWindowMs
    }),
  ],
  controllers: [HealthController],
})
export class OperationsModule {}
