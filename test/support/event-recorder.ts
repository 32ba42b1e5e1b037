import { Injectable, Module, type Type } from '@nestjs/common';
import { OnEcpayEvent, type EcpayEvent, type EcpayEventName } from '../../src/index.js';

/**
 * A module whose one provider records every event it is given (`'*'`, or one event name), for tests that assert
 * what handlers saw. A fresh class per call, so two app instances in one test keep separate recorders.
 */
export function ecpayEventRecorder(name: EcpayEventName | '*' = '*'): { module: Type<unknown>; events: EcpayEvent[] } {
  const events: EcpayEvent[] = [];
  @Injectable()
  class EcpayEventRecorder {
    @OnEcpayEvent(name)
    record(event: EcpayEvent): void {
      events.push(event);
    }
  }
  @Module({ providers: [EcpayEventRecorder] })
  class EcpayEventRecorderModule {}
  return { module: EcpayEventRecorderModule, events };
}
