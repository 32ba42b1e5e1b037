// Types from every subpath entry point, so that `tsc --moduleResolution node10` (a CommonJS app's default with
// `"module": "commonjs"`) proves it can see them too, not only the main entry's. Types only: nothing here runs.
import type { EcpayHealthModule } from 'nestjs-ecpay/health';
import type { EcpaySandboxModule } from 'nestjs-ecpay/sandbox';
import type { EcpayTesting } from 'nestjs-ecpay/testing';

export type SubpathTypes = [typeof EcpayHealthModule, typeof EcpaySandboxModule, EcpayTesting];
