import { Controller, Get, Header, Inject, Param, Post, Query, Redirect, Req, Res, UseGuards } from '@nestjs/common';
import { EcpayService } from 'nestjs-ecpay';
import { DEMO_SETTINGS } from '../demo-settings.token.js';
import type { DemoSettings } from '../demo-settings.js';
import { DemoAdminGuard } from '../security/demo-admin.guard.js';
import { DemoCsrf, DemoCsrfGuard, type CsrfRequest, type CsrfResponse } from '../security/demo-csrf.js';
import { DemoFaults } from './demo-faults.js';
import { opsPage } from './ops-page.js';
import { OpsViewService } from './ops-view.service.js';

/**
 * The operations page: notifications over time, events by dispatch status, parked events with a re-drive button,
 * the 403 breaker of each merchant, actions of unknown outcome. Re-driving is an administrator's action like a
 * refund: CSRF-checked, and outside the sandbox it needs ECPAY_DEMO_ADMIN_TOKEN ({@link DemoAdminGuard}).
 */
@Controller('ops')
export class OpsController {
  constructor(
    private readonly ecpay: EcpayService,
    private readonly view: OpsViewService,
    private readonly csrf: DemoCsrf,
    private readonly faults: DemoFaults,
    @Inject(DEMO_SETTINGS) private readonly settings: DemoSettings,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  async page(
    @Req() request: CsrfRequest,
    @Res({ passthrough: true }) response: CsrfResponse,
    @Query('redriven') redriven?: string,
  ): Promise<string> {
    const { sandbox, adminToken } = this.settings;
    const redrives = !sandbox && adminToken === undefined ? 'disabled' : adminToken === undefined ? 'open' : 'admin';
    return opsPage(await this.view.read(), {
      redrives,
      csrfToken: this.csrf.tokenFor(request, response),
      handlerFails: sandbox ? this.faults.paymentHandlerFails : undefined,
      notice:
        redriven === undefined
          ? undefined
          : redriven === 'missing'
            ? 'No such event.'
            : `Event ${redriven} re-driven: delivered again with a fresh attempt budget.`,
    });
  }

  /** Delivers a parked event again, at once, through the app's own dispatcher (`EcpayService.redriveNotification`). */
  @Post('events/:id/redrive')
  @UseGuards(DemoCsrfGuard, DemoAdminGuard)
  @Redirect()
  async redrive(@Param('id') id: string): Promise<{ url: string; statusCode: number }> {
    const found = await this.ecpay.redriveNotification(id);
    return { url: `/ops?redriven=${found ? encodeURIComponent(id) : 'missing'}`, statusCode: 303 };
  }
}
