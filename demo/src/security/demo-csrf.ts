import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ForbiddenException, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { DEMO_SETTINGS } from '../demo-settings.token.js';
import type { DemoSettings } from '../demo-settings.js';

/** The parts of a request and a response the CSRF check reads and writes (Express's fit). */
export interface CsrfRequest {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body?: unknown;
}
export interface CsrfResponse {
  append(name: string, value: string): unknown;
}

/** The cookie holding the browser's CSRF secret, and the form field carrying the token derived from it. */
export const CSRF_COOKIE = 'demo_csrf';
export const CSRF_FIELD = '_csrf';
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * CSRF protection for the shop's own HTML forms that act (the refund button), as a signed double-submit token:
 *
 * - each browser gets a random 256-bit secret in a cookie (`HttpOnly`; `SameSite=Lax`, so not sent with another
 *   site's posts; `Secure` over https);
 * - the page's form carries `HMAC-SHA256(server key, that secret)` in a hidden field;
 * - a post is accepted only when its field equals the HMAC of its own cookie (compared timing-safe).
 *
 * Another site can make the browser post the form, with the cookie even where SameSite is not honoured, but it can
 * read neither the cookie nor the page, so it cannot supply the matching field. A cookie and token it fetches for
 * itself are of no use unless it can also plant that cookie in the visitor's browser (a sibling subdomain could; the
 * demo runs on a host of its own). The server key never leaves this process (new at every start: open pages then
 * need a reload). The demo has no login, so the cookie stands in for a session. Written here rather than taken from a
 * package: it is these few lines, with nothing to configure, and adds no dependency to the library's repository.
 */
@Injectable()
export class DemoCsrf {
  private readonly key = randomBytes(32);
  private readonly secure: boolean;

  constructor(@Inject(DEMO_SETTINGS) settings: DemoSettings) {
    this.secure = settings.publicUrl.startsWith('https:');
  }

  /** The token for this browser's forms; gives the browser its secret cookie first when it has none. */
  tokenFor(request: CsrfRequest, response: CsrfResponse): string {
    let secret = cookieSecret(request);
    if (!secret) {
      secret = randomBytes(32).toString('base64url');
      response.append(
        'Set-Cookie',
        `${CSRF_COOKIE}=${secret}; Path=/; HttpOnly; SameSite=Lax${this.secure ? '; Secure' : ''}`,
      );
    }
    return this.sign(secret);
  }

  /** Whether the posted form carries the token of the browser's own secret. */
  verify(request: CsrfRequest): boolean {
    const secret = cookieSecret(request);
    const field = (request.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
    if (!secret || typeof field !== 'string') return false;
    const expected = Buffer.from(this.sign(secret));
    const given = Buffer.from(field);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private sign(secret: string): string {
    return createHmac('sha256', this.key).update(secret).digest('base64url');
  }
}

/** Refuses a form post without the token of {@link DemoCsrf}: 403, nothing done. */
@Injectable()
export class DemoCsrfGuard implements CanActivate {
  constructor(private readonly csrf: DemoCsrf) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.csrf.verify(context.switchToHttp().getRequest<CsrfRequest>())) return true;
    throw new ForbiddenException(
      "The form is missing its CSRF token, or the token is not this browser's: reload the page and try again.",
    );
  }
}

function cookieSecret(request: CsrfRequest): string | undefined {
  const header = request.headers.cookie;
  const cookies = Array.isArray(header) ? header.join('; ') : (header ?? '');
  for (const part of cookies.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === CSRF_COOKIE) {
      const secret = value.join('=');
      return SECRET_PATTERN.test(secret) ? secret : undefined;
    }
  }
  return undefined;
}
