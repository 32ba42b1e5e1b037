import { createHash, timingSafeEqual } from 'node:crypto';
import {
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { DEMO_SETTINGS } from '../demo-settings.token.js';
import type { DemoSettings } from '../demo-settings.js';

/** The parts of a request this guard reads. */
interface AdminRequest {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body?: unknown;
}

/**
 * Actions that move money (refunds) or re-run the shop's handlers (re-drives) are an administrator's, not a visitor's.
 * Outside the local sandbox they need `ECPAY_DEMO_ADMIN_TOKEN`, sent as `Authorization: Bearer <token>` (scripts) or
 * the `adminToken` field of the order page's form; without the variable set they are refused altogether. On the sandbox
 * no real money moves, so they are open unless a token is set — then it is required there too.
 *
 * The comparison is timing-safe over SHA-256 digests, so neither the token's content nor its length leaks through
 * how long a wrong guess takes.
 */
@Injectable()
export class DemoAdminGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(@Inject(DEMO_SETTINGS) private readonly settings: DemoSettings) {
    this.expected = settings.adminToken === undefined ? undefined : digest(settings.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) {
      if (this.settings.sandbox) return true;
      throw new ForbiddenException(
        'Refunds and re-drives are disabled: outside the sandbox the demo allows them only to an administrator, and ECPAY_DEMO_ADMIN_TOKEN is not set.',
      );
    }
    const presented = presentedToken(context.switchToHttp().getRequest<AdminRequest>());
    if (presented === undefined || !timingSafeEqual(digest(presented), this.expected)) {
      throw new UnauthorizedException(
        'A refund or re-drive needs the admin token: "Authorization: Bearer <ECPAY_DEMO_ADMIN_TOKEN>" or the form\'s admin token field.',
      );
    }
    return true;
  }
}

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

function presentedToken(request: AdminRequest): string | undefined {
  const authorization = request.headers.authorization;
  const bearer = typeof authorization === 'string' ? /^Bearer ([^\s]+)$/i.exec(authorization.trim())?.[1] : undefined;
  if (bearer !== undefined) return bearer;
  const field = (request.body as { adminToken?: unknown } | undefined)?.adminToken;
  return typeof field === 'string' && field !== '' ? field : undefined;
}
