import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Inject, Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import { inspect } from 'node:util';
import {
  computeCheckMacValue,
  decryptEcpayData,
  EcpayConfigError,
  EcpayCryptoService,
  EcpayDecryptionError,
  EcpayMerchantMismatchError,
  EcpayModule,
  EcpayService,
  EcpaySigningService,
  EcpayUnknownMerchantError,
  encryptEcpayData,
  type EcpayConfigIssue,
  type EcpayDecryptionFailure,
  type EcpayForRootOptions,
  type EcpayKeys,
  type EcpayModuleOptions,
  type EcpayParams,
} from '../src/index.js';
import { STAGE_MERCHANT, testDatabase } from './support/test-module.js';

// ---------------------------------------------------------------------------------------------------------------
// Fixtures (docs/protocol.md §1.5 and §4.3)
// ---------------------------------------------------------------------------------------------------------------

/** The AioCheckOut worked example of docs/protocol.md §1.5 (ECPay doc ?p=2902), signed with the 3002607 stage keys. */
const DOC_EXAMPLE: Record<string, string> = {
  TradeDesc: '促銷方案',
  PaymentType: 'aio',
  MerchantTradeDate: '2023/03/12 15:30:23',
  MerchantTradeNo: 'ecpay20230312153023',
  MerchantID: '3002607',
  ReturnURL: 'https://www.ecpay.com.tw/receive.php',
  ItemName: 'Apple iphone 15',
  TotalAmount: '30000',
  ChoosePayment: 'ALL',
  EncryptType: '1',
};
const DOC_EXAMPLE_MAC = '6C51C9E6888DE861FD62FB1DD17029FC742634498FD813DC43D4243B5685B840';

const STAGE_KEYS: EcpayKeys = { hashKey: STAGE_MERCHANT.hashKey, hashIv: STAGE_MERCHANT.hashIv };
/** docs/protocol.md §4.3 legacy AIO stage merchant. */
const SHOP_B = { merchantId: '2000132', hashKey: '5294y06JbISpM5x9', hashIv: 'v77hoKGq4kWxNNIS' } as const;
const SHOP_B_KEYS: EcpayKeys = { hashKey: SHOP_B.hashKey, hashIv: SHOP_B.hashIv };

const STAGE_OPTIONS: EcpayModuleOptions = { environment: 'stage', ...STAGE_MERCHANT };

/** Params without a MerchantID, so any configured merchant may sign them. */
const NEUTRAL_PARAMS: EcpayParams = { MerchantTradeNo: 'neutral0001', TotalAmount: 100, TradeDesc: 'desc' };

async function compile(
  imports: NonNullable<Parameters<typeof Test.createTestingModule>[0]>['imports'],
): Promise<TestingModule> {
  // Every module here gets the app's TypeORM connection, as EcpayModule's default (persistence on) expects.
  return Test.createTestingModule({ imports: [testDatabase(), ...(imports ?? [])] }).compile();
}

/** Runs `body` with a compiled module and always closes it. */
async function withModule<T>(
  imports: NonNullable<Parameters<typeof Test.createTestingModule>[0]>['imports'],
  body: (module: TestingModule) => T | Promise<T>,
): Promise<T> {
  const module = await compile(imports);
  try {
    return await body(module);
  } finally {
    await module.close();
  }
}

/** The error compile() rejects with (fails the test when it resolves). */
async function compileError(
  imports: NonNullable<Parameters<typeof Test.createTestingModule>[0]>['imports'],
): Promise<unknown> {
  let module: TestingModule | undefined;
  try {
    module = await compile(imports);
  } catch (error) {
    return error;
  }
  await module.close();
  throw new Error('compile() resolved, but it was expected to reject');
}

/** The error `fn` throws (fails the test when it returns). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

// ---------------------------------------------------------------------------------------------------------------
// forRoot / forRootAsync
// ---------------------------------------------------------------------------------------------------------------

describe('EcpayModule.forRoot', () => {
  it('provides EcpayService, EcpaySigningService and EcpayCryptoService, and signs the docs/protocol.md §1.5 doc example', async () => {
    await withModule([EcpayModule.forRoot(STAGE_OPTIONS)], (module) => {
      const ecpay = module.get(EcpayService);
      const signing = module.get(EcpaySigningService);
      const crypto = module.get(EcpayCryptoService);
      expect(ecpay).toBeInstanceOf(EcpayService);
      expect(signing).toBeInstanceOf(EcpaySigningService);
      expect(crypto).toBeInstanceOf(EcpayCryptoService);
      expect(ecpay.signing).toBe(signing);
      expect(ecpay.crypto).toBe(crypto);
      expect(ecpay.environment).toBe('stage');

      expect(signing.sign(DOC_EXAMPLE)).toBe(DOC_EXAMPLE_MAC);
      expect(signing.verify({ ...DOC_EXAMPLE, CheckMacValue: DOC_EXAMPLE_MAC })).toBe(true);
      expect(signing.verify({ ...DOC_EXAMPLE, TotalAmount: '30001', CheckMacValue: DOC_EXAMPLE_MAC })).toBe(false);

      const data = crypto.encrypt({ Hello: 'world' });
      expect(decryptEcpayData(data, STAGE_KEYS)).toEqual({ Hello: 'world' });
    });
  });
});

/**
 * A class-based options factory for forRootAsync({ useClass }) (docs/protocol.md §4.3 legacy merchant, to be
 * distinguishable).
 */
@Injectable()
class ShopBOptionsFactory {
  createEcpayOptions(): EcpayModuleOptions {
    return { environment: 'stage', ...SHOP_B };
  }
}

/** A provider of another module, used with forRootAsync({ imports, useExisting }). */
@Injectable()
class ExistingOptionsProvider {
  calls = 0;
  createEcpayOptions(): Promise<EcpayModuleOptions> {
    this.calls++;
    return Promise.resolve({ environment: 'stage', ...SHOP_B });
  }
}

@Module({ providers: [ExistingOptionsProvider], exports: [ExistingOptionsProvider] })
class OptionsModule {}

describe('EcpayModule.forRootAsync', () => {
  /** The doc example with shopB's MerchantID, signed by whatever merchant the module was configured with. */
  const shopBParams: EcpayParams = { ...DOC_EXAMPLE, MerchantID: SHOP_B.merchantId };
  const expectedShopBMac = computeCheckMacValue(shopBParams, SHOP_B_KEYS);

  it('the expected value differs from the one with the stage keys (so the tests below can tell the configurations apart)', () => {
    expect(expectedShopBMac).not.toBe(computeCheckMacValue(shopBParams, STAGE_KEYS));
  });

  it('useFactory + inject: [ConfigService] from @nestjs/config', async () => {
    const imports = [
      EcpayModule.forRootAsync({
        imports: [
          ConfigModule.forRoot({
            ignoreEnvFile: true,
            load: [
              () => ({
                ECPAY_ENV: 'stage',
                ECPAY_MERCHANT_ID: SHOP_B.merchantId,
                ECPAY_HASH_KEY: SHOP_B.hashKey,
                ECPAY_HASH_IV: SHOP_B.hashIv,
              }),
            ],
          }),
        ],
        inject: [ConfigService],
        useFactory: (config: ConfigService): EcpayModuleOptions => ({
          environment: config.getOrThrow('ECPAY_ENV'),
          merchantId: config.getOrThrow('ECPAY_MERCHANT_ID'),
          hashKey: config.getOrThrow('ECPAY_HASH_KEY'),
          hashIv: config.getOrThrow('ECPAY_HASH_IV'),
        }),
      }),
    ];
    await withModule(imports, (module) => {
      const signing = module.get(EcpaySigningService);
      expect(signing.sign(shopBParams)).toBe(expectedShopBMac);
      expect(module.get(EcpayService).merchant().merchantId).toBe(SHOP_B.merchantId);
    });
  });

  it('useClass (a class implementing createEcpayOptions())', async () => {
    await withModule([EcpayModule.forRootAsync({ useClass: ShopBOptionsFactory })], (module) => {
      expect(module.get(EcpaySigningService).sign(shopBParams)).toBe(expectedShopBMac);
    });
  });

  it('useExisting (a provider exported by an imported module)', async () => {
    await withModule(
      [EcpayModule.forRootAsync({ imports: [OptionsModule], useExisting: ExistingOptionsProvider })],
      (module) => {
        expect(module.get(EcpaySigningService).sign(shopBParams)).toBe(expectedShopBMac);
        // The existing instance was used, not a fresh copy.
        expect(module.get(ExistingOptionsProvider).calls).toBe(1);
      },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// isGlobal
// ---------------------------------------------------------------------------------------------------------------

@Injectable()
class FeatureService {
  constructor(@Inject(EcpayService) readonly ecpay: EcpayService) {}
}

/** A feature module that does NOT import EcpayModule. */
@Module({ providers: [FeatureService], exports: [FeatureService] })
class FeatureModule {}

describe('isGlobal', () => {
  it('defaults to true: a feature module that does not import EcpayModule can inject EcpayService', async () => {
    await withModule([EcpayModule.forRoot(STAGE_OPTIONS), FeatureModule], (module) => {
      const feature = module.get(FeatureService);
      expect(feature.ecpay).toBeInstanceOf(EcpayService);
      expect(feature.ecpay.signing.sign(DOC_EXAMPLE)).toBe(DOC_EXAMPLE_MAC);
    });
  });

  it('isGlobal: true given explicitly behaves the same', async () => {
    await withModule([EcpayModule.forRoot({ ...STAGE_OPTIONS, isGlobal: true }), FeatureModule], (module) => {
      expect(module.get(FeatureService).ecpay).toBeInstanceOf(EcpayService);
    });
  });

  it('isGlobal: false: the feature module cannot inject EcpayService (compile rejects)', async () => {
    const error = await compileError([EcpayModule.forRoot({ ...STAGE_OPTIONS, isGlobal: false }), FeatureModule]);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(EcpayConfigError);
    expect((error as Error).message).toMatch(/FeatureService/);
    expect((error as Error).message).toMatch(/EcpayService/);
  });

  it('isGlobal: false still works for the module that imports EcpayModule', async () => {
    await withModule([EcpayModule.forRoot({ ...STAGE_OPTIONS, isGlobal: false })], (module) => {
      expect(module.get(EcpaySigningService).sign(DOC_EXAMPLE)).toBe(DOC_EXAMPLE_MAC);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Misconfiguration
// ---------------------------------------------------------------------------------------------------------------

/** A well-formed MerchantID and keys that are not ECPay's public stage credentials (made up for these tests). */
const PRIVATE_MERCHANT = { merchantId: '1234567', hashKey: 'Zq8RtY2uWx4VbN6m', hashIv: 'Lk3Jh5Gf7Ds9Aq1P' } as const;

interface ExpectedIssue {
  option: string;
  rule: RegExp;
}

interface MisconfigurationCase {
  name: string;
  options: unknown;
  issues: ExpectedIssue[];
  /** Values that must not appear in any message (bad or real secrets). */
  secrets: string[];
}

const without = (options: Record<string, unknown>, key: string): Record<string, unknown> => {
  const copy = { ...options };
  delete copy[key];
  return copy;
};

const base: Record<string, unknown> = { environment: 'stage', ...STAGE_MERCHANT };
const production: Record<string, unknown> = { environment: 'production', ...PRIVATE_MERCHANT };
const SIXTEEN = /must be exactly 16 characters/;
const REQUIRED = /is required/;

const misconfigurations: MisconfigurationCase[] = [
  {
    name: 'hashKey of 15 characters',
    options: { ...base, hashKey: 'pwFHCqoQZGmho4w' },
    issues: [{ option: 'hashKey', rule: /must be exactly 16 characters \(got 15\)/ }],
    secrets: ['pwFHCqoQZGmho4w'],
  },
  {
    name: 'hashIv of 17 characters',
    options: { ...base, hashIv: 'EkRm7iFT261dpevsX' },
    issues: [{ option: 'hashIv', rule: /must be exactly 16 characters \(got 17\)/ }],
    secrets: ['EkRm7iFT261dpevs'],
  },
  {
    name: 'hashKey with a trailing newline',
    options: { ...base, hashKey: 'pwFHCqoQZGmho4w6\n' },
    issues: [{ option: 'hashKey', rule: /must not contain whitespace/ }],
    secrets: ['pwFHCqoQZGmho4w6'],
  },
  {
    name: 'hashKey with a non-ASCII character',
    options: { ...base, hashKey: 'pwFHCqoQZGmho4wé' },
    issues: [{ option: 'hashKey', rule: /must contain only printable ASCII characters/ }],
    secrets: ['pwFHCqoQZGmho4w'],
  },
  {
    name: 'merchantId of 11 characters',
    options: { ...base, merchantId: '30026070000' },
    issues: [{ option: 'merchantId', rule: /must be at most 10 characters \(got 11\)/ }],
    secrets: [],
  },
  {
    name: 'merchantId with a "-"',
    options: { ...base, merchantId: '3002-607' },
    issues: [{ option: 'merchantId', rule: /must contain only letters and digits/ }],
    secrets: [],
  },
  {
    name: 'missing merchantId',
    options: without(base, 'merchantId'),
    issues: [{ option: 'merchantId', rule: REQUIRED }],
    secrets: [],
  },
  {
    name: 'missing hashKey',
    options: without(base, 'hashKey'),
    issues: [{ option: 'hashKey', rule: REQUIRED }],
    secrets: [STAGE_MERCHANT.hashIv],
  },
  {
    name: 'missing hashIv',
    options: without(base, 'hashIv'),
    issues: [{ option: 'hashIv', rule: REQUIRED }],
    secrets: [STAGE_MERCHANT.hashKey],
  },
  {
    name: "environment 'prod'",
    options: { ...base, environment: 'prod' },
    issues: [{ option: 'environment', rule: /must be one of 'stage', 'production', 'sandbox' \(got "prod"\)/ }],
    secrets: [STAGE_MERCHANT.hashKey, STAGE_MERCHANT.hashIv],
  },
  {
    name: 'missing environment',
    options: without(base, 'environment'),
    issues: [{ option: 'environment', rule: /must be one of 'stage', 'production', 'sandbox' \(got nothing\)/ }],
    secrets: [STAGE_MERCHANT.hashKey, STAGE_MERCHANT.hashIv],
  },
  {
    name: 'production with the public stage MerchantID 3002607',
    options: { ...production, merchantId: '3002607' },
    issues: [
      {
        option: 'merchantId',
        rule: /3002607 is one of ECPay's public stage MerchantIDs and cannot be used in production/,
      },
    ],
    secrets: [PRIVATE_MERCHANT.hashKey, PRIVATE_MERCHANT.hashIv],
  },
  {
    name: 'production with the public stage HashKey pwFHCqoQZGmho4w6',
    options: { ...production, hashKey: 'pwFHCqoQZGmho4w6' },
    issues: [
      { option: 'hashKey', rule: /is one of ECPay's public stage credentials and cannot be used in production/ },
    ],
    secrets: ['pwFHCqoQZGmho4w6', PRIVATE_MERCHANT.hashIv],
  },
  {
    name: 'production with the public stage HashIV EkRm7iFT261dpevs',
    options: { ...production, hashIv: 'EkRm7iFT261dpevs' },
    issues: [{ option: 'hashIv', rule: /is one of ECPay's public stage credentials and cannot be used in production/ }],
    secrets: ['EkRm7iFT261dpevs', PRIVATE_MERCHANT.hashKey],
  },
  {
    name: 'unknown option hashIV (suggests hashIv)',
    options: { ...without(base, 'hashIv'), hashIV: STAGE_MERCHANT.hashIv },
    issues: [
      { option: 'hashIV', rule: /is not an option; did you mean "hashIv"\?/ },
      { option: 'hashIv', rule: REQUIRED },
    ],
    secrets: [STAGE_MERCHANT.hashIv, STAGE_MERCHANT.hashKey],
  },
  {
    name: 'merchants.shop.hashKey of the wrong length',
    options: {
      ...base,
      merchants: { shop: { merchantId: '2000132', hashKey: '5294y06JbISpM5x', hashIv: SHOP_B.hashIv } },
    },
    issues: [{ option: 'merchants.shop.hashKey', rule: /must be exactly 16 characters \(got 15\)/ }],
    secrets: ['5294y06JbISpM5x', SHOP_B.hashIv],
  },
  {
    name: "merchant named 'default'",
    options: { ...base, merchants: { default: { ...SHOP_B } } },
    issues: [{ option: 'merchants.default', rule: /merchant name .*not "default"/ }],
    secrets: [SHOP_B.hashKey, SHOP_B.hashIv],
  },
  {
    name: 'member with both platformId and hashKey',
    options: {
      ...base,
      merchants: { member: { merchantId: '1234567', platformId: '3002607', hashKey: SHOP_B.hashKey } },
    },
    issues: [{ option: 'merchants.member', rule: /either platformId or hashKey\/hashIv, not both/ }],
    secrets: [SHOP_B.hashKey],
  },
  {
    name: 'member whose platformId is not configured',
    options: { ...base, merchants: { member: { merchantId: '1234567', platformId: '3002599' } } },
    issues: [
      {
        option: 'merchants.member.platformId',
        rule: /no merchant with MerchantID 3002599 and its own hashKey\/hashIv is configured/,
      },
    ],
    secrets: [STAGE_MERCHANT.hashKey, STAGE_MERCHANT.hashIv],
  },
  {
    name: 'the same MerchantID in two merchants',
    options: {
      ...base,
      merchants: {
        shopB: { ...SHOP_B },
        shopC: { merchantId: SHOP_B.merchantId, hashKey: PRIVATE_MERCHANT.hashKey, hashIv: PRIVATE_MERCHANT.hashIv },
      },
    },
    issues: [
      { option: 'merchants.shopC.merchantId', rule: /MerchantID 2000132 is already configured at "merchants\.shopB"/ },
    ],
    secrets: [SHOP_B.hashKey, SHOP_B.hashIv, PRIVATE_MERCHANT.hashKey, PRIVATE_MERCHANT.hashIv],
  },
  {
    name: 'a named merchant repeating the default MerchantID',
    options: {
      ...base,
      merchants: { again: { merchantId: STAGE_MERCHANT.merchantId, hashKey: SHOP_B.hashKey, hashIv: SHOP_B.hashIv } },
    },
    issues: [
      { option: 'merchants.again.merchantId', rule: /MerchantID 3002607 is already configured at "merchantId"/ },
    ],
    secrets: [SHOP_B.hashKey, SHOP_B.hashIv],
  },
  {
    name: "sandboxUrl 'ftp://x'",
    options: { ...base, environment: 'sandbox', sandboxUrl: 'ftp://x' },
    issues: [{ option: 'sandboxUrl', rule: /must be an absolute http\(s\) URL/ }],
    secrets: [],
  },
  {
    name: "sandboxUrl 'not a url'",
    options: { ...base, environment: 'sandbox', sandboxUrl: 'not a url' },
    issues: [{ option: 'sandboxUrl', rule: /must be an absolute http\(s\) URL/ }],
    secrets: [],
  },
  {
    name: 'several problems at once',
    options: {
      environment: 'prod',
      merchantId: '3002-607',
      hashKey: 'pwFHCqoQZGmho4w',
      hashIv: 'EkRm7iFT261dpevsX',
      sandboxUrl: 'not a url',
      hashiv: 'x',
    },
    issues: [
      { option: 'hashiv', rule: /did you mean "hashIv"/ },
      { option: 'environment', rule: /must be one of/ },
      { option: 'merchantId', rule: /only letters and digits/ },
      { option: 'hashKey', rule: SIXTEEN },
      { option: 'hashIv', rule: SIXTEEN },
      { option: 'sandboxUrl', rule: /absolute http\(s\) URL/ },
    ],
    secrets: ['pwFHCqoQZGmho4w', 'EkRm7iFT261dpevs'],
  },
  {
    name: 'several problems at once, cross-merchant rules included',
    options: {
      ...base,
      hashKey: 'short',
      merchants: {
        again: { merchantId: STAGE_MERCHANT.merchantId, hashKey: SHOP_B.hashKey, hashIv: SHOP_B.hashIv },
        orphan: { merchantId: '7654321', platformId: '7777777' },
      },
    },
    issues: [
      { option: 'hashKey', rule: SIXTEEN },
      { option: 'merchants.again.merchantId', rule: /already configured at "merchantId"/ },
      { option: 'merchants.orphan.platformId', rule: /no merchant with MerchantID 7777777/ },
    ],
    secrets: ['short', SHOP_B.hashKey, SHOP_B.hashIv],
  },
];

/** Every place an error's text can leak through: message, stack, util.inspect (own properties, cause), issues. */
function everyRendering(error: unknown): string {
  return [
    String(error),
    (error as Error).stack ?? '',
    inspect(error, { depth: null, showHidden: true }),
    JSON.stringify((error as EcpayConfigError).issues),
  ].join('\n');
}

function expectConfigError(error: unknown, issues: ExpectedIssue[], secrets: string[]): void {
  expect(error).toBeInstanceOf(EcpayConfigError);
  const configError = error as EcpayConfigError;
  expect(configError.code).toBe('ECPAY_CONFIG_INVALID');
  expect(configError.issues).toHaveLength(issues.length);
  expect(configError.issues).toEqual(
    expect.arrayContaining(issues.map(({ option, rule }) => ({ option, message: expect.stringMatching(rule) }))),
  );
  for (const issue of configError.issues as EcpayConfigIssue[]) {
    // The message names the option and states the rule.
    expect(configError.message).toContain(`- ${issue.option}: ${issue.message}`);
  }
  for (const { option, rule } of issues) {
    expect(configError.message).toMatch(new RegExp(`${option.replace(/\./g, '\\.')}: .*${rule.source}`));
  }
  const rendered = everyRendering(error);
  for (const secret of secrets) expect(rendered).not.toContain(secret);
}

describe.each([
  ['forRoot', (options: unknown) => EcpayModule.forRoot(options as EcpayForRootOptions)],
  [
    'forRootAsync(useFactory)',
    (options: unknown) => EcpayModule.forRootAsync({ useFactory: () => options as EcpayModuleOptions }),
  ],
])('misconfiguration through %s rejects compile() with an EcpayConfigError', (_how, configure) => {
  it.each(misconfigurations.map((c) => [c.name, c] as const))('%s', async (_name, { options, issues, secrets }) => {
    const error = await compileError([configure(options)]);
    expectConfigError(error, issues, secrets);
  });
});

describe('misconfiguration specific to forRootAsync', () => {
  it('a factory returning undefined', async () => {
    const error = await compileError([
      EcpayModule.forRootAsync({ useFactory: () => undefined as unknown as EcpayModuleOptions }),
    ]);
    expectConfigError(
      error,
      [{ option: 'options', rule: /must be an object \(did the forRootAsync factory return nothing\?\)/ }],
      [],
    );
  });

  it('an async factory resolving to a bad hashKey', async () => {
    const error = await compileError([
      EcpayModule.forRootAsync({ useFactory: async () => ({ ...STAGE_OPTIONS, hashKey: 'short-key' }) }),
    ]);
    expectConfigError(error, [{ option: 'hashKey', rule: /got 9/ }], ['short-key']);
  });
});

describe('valid edge configurations compile', () => {
  it.each([
    ['production with private credentials', { ...production }],
    [
      'sandbox with an http URL',
      { ...base, environment: 'sandbox', sandboxUrl: 'http://127.0.0.1:3000/ecpay-sandbox' },
    ],
    ['a 10-character alphanumeric MerchantID', { ...base, merchantId: 'A123456789' }],
  ])('%s', async (_name, options) => {
    await withModule([EcpayModule.forRoot(options as EcpayForRootOptions)], (module) => {
      expect(module.get(EcpayService).merchant().merchantId).toBe((options as { merchantId: string }).merchantId);
    });
  });
});

describe('orderResultPage never sends the browser to another host', () => {
  // Each of these is read by URL parsers (and by browsers following the 303) as a URL of another host.
  it.each([
    ['a backslash after the slash', '/\\evil.com'],
    ['a protocol-relative URL', '//evil.com/orders'],
    ['a tab between the slashes', '/\t/evil.com'],
    ['a newline between the slashes', '/\n/evil.com'],
    ['a backslash further on', '/orders\\..\\\\evil.com'],
    ['dot segments folding into two slashes', '/orders/..//evil.com'],
  ])('refuses a path with %s, naming the option', async (_label, orderResultPage) => {
    // The URL parser's reading, and the path the callback route then puts in its Location header.
    const parsed = new URL(orderResultPage, 'https://shop.example.com');
    expect([parsed.host, new URL(parsed.pathname, 'https://shop.example.com').host]).toContain('evil.com');
    const error = await compileError([EcpayModule.forRoot({ ...base, orderResultPage } as EcpayForRootOptions)]);
    expectConfigError(
      error,
      [{ option: 'orderResultPage', rule: /must be a path of the shop \(one leading "\/", not "\/\/" or "\/\\"/ }],
      [],
    );
  });

  it.each([
    ['a path of the shop', '/orders/done?from=ecpay'],
    ['an absolute URL', 'https://shop.example.com/orders/done'],
  ])('accepts %s', async (_label, orderResultPage) => {
    await withModule([EcpayModule.forRoot({ ...base, orderResultPage } as EcpayForRootOptions)], (module) => {
      expect(module.get(EcpayService).merchant().merchantId).toBe(STAGE_MERCHANT.merchantId);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Multi-merchant and platform (docs/protocol.md §1.2)
// ---------------------------------------------------------------------------------------------------------------

const MULTI_OPTIONS: EcpayModuleOptions = {
  environment: 'stage',
  ...STAGE_MERCHANT,
  merchants: {
    shopB: { ...SHOP_B },
    member: { merchantId: '1234567', platformId: '3002607' },
  },
};

describe('multiple merchants and a platform member', () => {
  let module: TestingModule;
  let signing: EcpaySigningService;
  let crypto: EcpayCryptoService;
  let ecpay: EcpayService;

  beforeAll(async () => {
    module = await compile([EcpayModule.forRoot(MULTI_OPTIONS)]);
    signing = module.get(EcpaySigningService);
    crypto = module.get(EcpayCryptoService);
    ecpay = module.get(EcpayService);
  });

  afterAll(async () => {
    await module.close();
  });

  describe('sign', () => {
    it("{ merchant: 'shopB' } signs with shopB's keys", () => {
      const expected = computeCheckMacValue(NEUTRAL_PARAMS, SHOP_B_KEYS);
      expect(expected).not.toBe(computeCheckMacValue(NEUTRAL_PARAMS, STAGE_KEYS));
      expect(signing.sign(NEUTRAL_PARAMS, { merchant: 'shopB' })).toBe(expected);
      // By MerchantID too.
      expect(signing.sign(NEUTRAL_PARAMS, { merchant: '2000132' })).toBe(expected);
      expect(signing.sign(NEUTRAL_PARAMS, { merchant: 'shopB', algorithm: 'md5' })).toBe(
        computeCheckMacValue(NEUTRAL_PARAMS, SHOP_B_KEYS, 'md5'),
      );
    });

    it('without a merchant option, the default merchant signs params without MerchantID', () => {
      expect(signing.sign(NEUTRAL_PARAMS)).toBe(computeCheckMacValue(NEUTRAL_PARAMS, STAGE_KEYS));
    });

    it("params with MerchantID 2000132 and no merchant option are signed with shopB's keys", () => {
      const params = { ...NEUTRAL_PARAMS, MerchantID: '2000132' };
      expect(signing.sign(params)).toBe(computeCheckMacValue(params, SHOP_B_KEYS));
      expect(signing.sign(params)).not.toBe(computeCheckMacValue(params, STAGE_KEYS));
    });

    it('params with PlatformID 3002607 and MerchantID 1234567 are signed with the platform (default) keys', () => {
      const params = { ...NEUTRAL_PARAMS, PlatformID: '3002607', MerchantID: '1234567' };
      const expected = computeCheckMacValue(params, STAGE_KEYS);
      expect(signing.sign(params)).toBe(expected);
      expect(signing.sign(params, { merchant: 'member' })).toBe(expected);
      expect(signing.signParams(params)).toEqual({ ...params, TotalAmount: '100', CheckMacValue: expected });
      expect(ecpay.merchant('member').hashKey).toBe(STAGE_MERCHANT.hashKey);
    });

    it('params naming an unconfigured MerchantID throw EcpayUnknownMerchantError', () => {
      const error = thrown(() => signing.sign({ ...NEUTRAL_PARAMS, MerchantID: '9999999' }));
      expect(error).toBeInstanceOf(EcpayUnknownMerchantError);
      expect((error as EcpayUnknownMerchantError).reference).toBe('9999999');
      expect((error as EcpayUnknownMerchantError).field).toBe('MerchantID');
    });

    it('an unconfigured PlatformID throws EcpayUnknownMerchantError', () => {
      const error = thrown(() => signing.sign({ ...NEUTRAL_PARAMS, PlatformID: '3002599' }));
      expect(error).toBeInstanceOf(EcpayUnknownMerchantError);
      expect((error as EcpayUnknownMerchantError).field).toBe('PlatformID');
    });

    it('an unknown merchant name throws EcpayUnknownMerchantError', () => {
      expect(() => signing.sign(NEUTRAL_PARAMS, { merchant: 'shopZ' })).toThrow(EcpayUnknownMerchantError);
    });

    it("sign({ MerchantID: '2000132' }, { merchant: 'default' }) throws EcpayMerchantMismatchError", () => {
      expect(() => signing.sign({ MerchantID: '2000132' }, { merchant: 'default' })).toThrow(
        EcpayMerchantMismatchError,
      );
    });

    it('signing as the member without PlatformID throws EcpayMerchantMismatchError', () => {
      expect(() => signing.sign(NEUTRAL_PARAMS, { merchant: 'member' })).toThrow(EcpayMerchantMismatchError);
      expect(() => signing.sign({ ...NEUTRAL_PARAMS, MerchantID: '1234567' })).toThrow(EcpayMerchantMismatchError);
      expect(() => signing.sign({ ...NEUTRAL_PARAMS, MerchantID: '1234567', PlatformID: '' })).toThrow(
        EcpayMerchantMismatchError,
      );
      // Under another platform than its own.
      expect(() => signing.sign({ ...NEUTRAL_PARAMS, MerchantID: '1234567', PlatformID: '2000132' })).toThrow(
        EcpayMerchantMismatchError,
      );
    });
  });

  describe('verify', () => {
    const signedWith = (params: Record<string, string>, keys: EcpayKeys): Record<string, string> => ({
      ...params,
      CheckMacValue: computeCheckMacValue(params, keys),
    });

    it("trusts the platform's keys only for a MerchantID that is one of its members", () => {
      const member = { PlatformID: '3002607', MerchantID: '1234567', MerchantTradeNo: 'P0001', RtnCode: '1' };
      expect(signing.verify(signedWith(member, STAGE_KEYS))).toBe(true);
      const stranger = { ...member, MerchantID: '7777777' };
      expect(signing.verify(signedWith(stranger, STAGE_KEYS))).toBe(false);
      const notAMember = { ...member, MerchantID: '2000132' }; // configured, but with keys of its own
      expect(signing.verify(signedWith(notAMember, STAGE_KEYS))).toBe(false);
    });

    it("picks shopB's keys from the payload's MerchantID", () => {
      const payload = { MerchantID: '2000132', MerchantTradeNo: 'B0001', RtnCode: '1' };
      expect(signing.verify(signedWith(payload, SHOP_B_KEYS))).toBe(true);
      expect(signing.verify(signedWith(payload, STAGE_KEYS))).toBe(false);
    });

    it("picks the default merchant's keys from MerchantID 3002607", () => {
      const payload = { MerchantID: '3002607', MerchantTradeNo: 'A0001', RtnCode: '1' };
      expect(signing.verify(signedWith(payload, STAGE_KEYS))).toBe(true);
      expect(signing.verify(signedWith(payload, SHOP_B_KEYS))).toBe(false);
    });

    it("picks the platform's keys from the payload's PlatformID", () => {
      const payload = { PlatformID: '3002607', MerchantID: '1234567', MerchantTradeNo: 'M0001', RtnCode: '1' };
      expect(signing.verify(signedWith(payload, STAGE_KEYS))).toBe(true);
      expect(signing.verify(signedWith(payload, SHOP_B_KEYS))).toBe(false);
    });

    it('returns false (does not throw) for an unknown MerchantID, whichever keys signed it', () => {
      const payload = { MerchantID: '9999999', MerchantTradeNo: 'X0001', RtnCode: '1' };
      for (const keys of [STAGE_KEYS, SHOP_B_KEYS]) {
        expect(() => signing.verify(signedWith(payload, keys))).not.toThrow();
        expect(signing.verify(signedWith(payload, keys))).toBe(false);
      }
      expect(signing.verify({ ...signedWith(payload, STAGE_KEYS), MerchantID: 12345 })).toBe(false);
    });

    it('{ merchant } forces the keys', () => {
      const payload = { MerchantTradeNo: 'F0001', RtnCode: '1' };
      expect(signing.verify(signedWith(payload, SHOP_B_KEYS), { merchant: 'shopB' })).toBe(true);
      expect(signing.verify(signedWith(payload, SHOP_B_KEYS))).toBe(false);
      expect(signing.verify(signedWith(payload, SHOP_B_KEYS), { merchant: 'nobody' })).toBe(false);
    });
  });

  describe('crypto.buildRequest', () => {
    it('a member request carries the platform MerchantID outside and Data encrypted with the platform keys', () => {
      const data = { PlatformID: '3002607', MerchantID: '1234567', MerchantTradeNo: 'M0002', TotalAmount: 100 };
      const envelope = crypto.buildRequest(data);
      expect(envelope.MerchantID).toBe('3002607');
      expect(decryptEcpayData(envelope.Data, STAGE_KEYS)).toEqual(data);
      expect(() => decryptEcpayData(envelope.Data, SHOP_B_KEYS)).toThrow(EcpayDecryptionError);
    });

    it("a shopB request carries 2000132 and is encrypted with shopB's keys", () => {
      const data = { MerchantID: '2000132', MerchantTradeNo: 'B0002' };
      const envelope = crypto.buildRequest(data);
      expect(envelope.MerchantID).toBe('2000132');
      expect(decryptEcpayData(envelope.Data, SHOP_B_KEYS)).toEqual(data);
    });

    it('a member request without PlatformID throws EcpayMerchantMismatchError', () => {
      expect(() => crypto.buildRequest({ MerchantID: '1234567' })).toThrow(EcpayMerchantMismatchError);
    });
  });

  describe('keys never print', () => {
    const secrets = [SHOP_B.hashKey, SHOP_B.hashIv, STAGE_MERCHANT.hashKey, STAGE_MERCHANT.hashIv];

    it("EcpayService.merchant('shopB') through util.inspect, JSON.stringify and template strings", () => {
      const merchant = ecpay.merchant('shopB');
      // The keys are there (so the checks below are not vacuous) …
      expect(merchant.hashKey).toBe(SHOP_B.hashKey);
      expect(merchant.hashIv).toBe(SHOP_B.hashIv);
      expect(merchant.merchantId).toBe('2000132');
      // … but never printed.
      const renderings = [
        inspect(merchant),
        inspect(merchant, { depth: null, showHidden: true, getters: true }),
        inspect({ merchant }, { depth: null }),
        JSON.stringify(merchant),
        JSON.stringify({ merchant }),
        `${String(merchant)}`,
        `merchant: ${inspect(merchant)}`,
        `${merchant as unknown as string}`,
      ];
      for (const text of renderings) {
        for (const secret of secrets) expect(text).not.toContain(secret);
      }
      expect(inspect(merchant)).toContain('2000132');
      expect(JSON.stringify(merchant)).toContain('2000132');
    });

    it('every merchant, the service and its building blocks through util.inspect and JSON.stringify', () => {
      const all = ['default', 'shopB', 'member'].map((name) => ecpay.merchant(name));
      const renderings = [
        inspect(all, { depth: null }),
        JSON.stringify(all),
        inspect(ecpay, { depth: null, showHidden: true }),
        inspect(signing, { depth: null }),
        inspect(crypto, { depth: null }),
      ];
      for (const text of renderings) {
        for (const secret of secrets) expect(text).not.toContain(secret);
      }
    });
  });

  describe('openResponse', () => {
    it.each([true, [1], '1e0', ' 1', null])(
      'refuses TransCode %j as malformed (only a number or its digits count)',
      (transCode) => {
        const envelope = {
          MerchantID: '3002607',
          TransCode: transCode,
          Data: encryptEcpayData({ RtnCode: 1 }, STAGE_KEYS),
        };
        expect(() => crypto.openResponse(envelope)).toThrow(expect.objectContaining({ reason: 'malformed-envelope' }));
      },
    );

    const envelopeFor = (data: unknown, overrides: Record<string, unknown> = {}, keys: EcpayKeys = STAGE_KEYS) => ({
      MerchantID: '3002607',
      RpHeader: { Timestamp: 1704081600 },
      TransCode: 1,
      TransMsg: 'Success',
      Data: encryptEcpayData(data, keys),
      ...overrides,
    });

    const decryptionFailure = (fn: () => unknown): EcpayDecryptionError => {
      const error = thrown(fn);
      expect(error).toBeInstanceOf(EcpayDecryptionError);
      return error as EcpayDecryptionError;
    };

    it("RtnCode 1 → 'success' with the data", () => {
      const result = crypto.openResponse(envelopeFor({ RtnCode: 1, RtnMsg: 'ok', X: 1 }));
      expect(result).toEqual({
        status: 'success',
        merchantId: '3002607',
        transCode: 1,
        transMsg: 'Success',
        rtnCode: 1,
        rtnMsg: 'ok',
        data: { RtnCode: 1, RtnMsg: 'ok', X: 1 },
      });
    });

    it("RtnCode '10100058' (a string) → 'business-failure' with rtnCode 10100058 (a number)", () => {
      const result = crypto.openResponse(envelopeFor({ RtnCode: '10100058', RtnMsg: 'declined' }));
      expect(result.status).toBe('business-failure');
      expect(result).toMatchObject({
        rtnCode: 10100058,
        rtnMsg: 'declined',
        data: { RtnCode: '10100058', RtnMsg: 'declined' },
      });
      if (result.status !== 'business-failure') throw new Error('unreachable');
      expect(typeof result.rtnCode).toBe('number');
    });

    it("TransCode 0 without Data → 'transport-failure'", () => {
      const envelope = {
        MerchantID: '3002607',
        RpHeader: { Timestamp: 1704081600 },
        TransCode: 0,
        TransMsg: 'Timestamp invalid',
      };
      expect(crypto.openResponse(envelope)).toEqual({
        status: 'transport-failure',
        merchantId: '3002607',
        transCode: 0,
        transMsg: 'Timestamp invalid',
      });
    });

    it('accepts the envelope as JSON text', () => {
      const data = { RtnCode: 1, RtnMsg: 'ok', X: 1 };
      expect(crypto.openResponse(JSON.stringify(envelopeFor(data)))).toMatchObject({ status: 'success', data });
      expect(crypto.openResponse(JSON.stringify(envelopeFor({ RtnCode: '10100058' })))).toMatchObject({
        status: 'business-failure',
        rtnCode: 10100058,
      });
      expect(
        crypto.openResponse(JSON.stringify({ MerchantID: '3002607', TransCode: '0', TransMsg: 'x' })),
      ).toMatchObject({
        status: 'transport-failure',
        transCode: 0,
      });
    });

    it("opens a shopB envelope with shopB's keys", () => {
      const result = crypto.openResponse(
        envelopeFor({ RtnCode: 1, RtnMsg: 'ok' }, { MerchantID: '2000132' }, SHOP_B_KEYS),
      );
      expect(result).toMatchObject({ status: 'success', merchantId: '2000132' });
      expect(
        crypto.openResponse(envelopeFor({ RtnCode: 1 }, { MerchantID: '2000132' }, SHOP_B_KEYS), { merchant: 'shopB' })
          .status,
      ).toBe('success');
    });

    it("an unknown MerchantID → EcpayDecryptionError 'unknown-merchant'", () => {
      expect(
        decryptionFailure(() => crypto.openResponse(envelopeFor({ RtnCode: 1 }, { MerchantID: '9999999' }))).reason,
      ).toBe('unknown-merchant');
    });

    it("{ merchant: 'shopB' } with a 3002607 envelope → 'merchant-mismatch'", () => {
      expect(
        decryptionFailure(() => crypto.openResponse(envelopeFor({ RtnCode: 1 }), { merchant: 'shopB' })).reason,
      ).toBe('merchant-mismatch');
    });

    it('Data encrypted with other keys → EcpayDecryptionError without the plaintext in its message', () => {
      const plaintext = 'PLAINTEXT-4311952222222222-SECRET';
      const payloads = [
        { RtnCode: 1, RtnMsg: plaintext },
        { RtnCode: 1, Card: plaintext, Extra: 'x'.repeat(40) },
        plaintext,
      ];
      for (const payload of payloads) {
        const error = decryptionFailure(() => crypto.openResponse(envelopeFor(payload, {}, SHOP_B_KEYS)));
        // Wrong keys fail the PKCS7 check in ~255 of 256 cases; otherwise a later step (UTF-8, JSON) rejects it.
        expect<EcpayDecryptionFailure[]>(['bad-padding', 'invalid-utf8', 'invalid-json']).toContain(error.reason);
        const rendered = [error.message, error.stack ?? '', inspect(error, { depth: null, showHidden: true })].join(
          '\n',
        );
        expect(rendered).not.toContain(plaintext);
        expect(rendered).not.toContain(SHOP_B.hashKey);
        expect(rendered).not.toContain(STAGE_MERCHANT.hashKey);
      }
    });

    it.each<[string, unknown]>([
      ['a number', 42],
      ['null', null],
      ['undefined', undefined],
      ['an array', [{ MerchantID: '3002607', TransCode: 1 }]],
      ['a JSON array text', '[1,2]'],
      ['a non-JSON text', 'not json {'],
      [
        'missing TransCode',
        { MerchantID: '3002607', TransMsg: 'Success', Data: encryptEcpayData({ RtnCode: 1 }, STAGE_KEYS) },
      ],
      [
        'a non-numeric TransCode',
        { MerchantID: '3002607', TransCode: 'one', Data: encryptEcpayData({ RtnCode: 1 }, STAGE_KEYS) },
      ],
      ['an empty TransCode', { MerchantID: '3002607', TransCode: '' }],
      ['TransCode 1 without Data', { MerchantID: '3002607', TransCode: 1, TransMsg: 'Success' }],
      ['missing MerchantID', { TransCode: 1, Data: encryptEcpayData({ RtnCode: 1 }, STAGE_KEYS) }],
      [
        'Data that is not a JSON object',
        { MerchantID: '3002607', TransCode: 1, Data: encryptEcpayData([1, 2], STAGE_KEYS) },
      ],
    ])("%s → 'malformed-envelope'", (_name, envelope) => {
      expect(decryptionFailure(() => crypto.openResponse(envelope)).reason).toBe('malformed-envelope');
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The clock
// ---------------------------------------------------------------------------------------------------------------

describe('the module clock', () => {
  it('a fixed clock gives RqHeader.Timestamp 1704081600 for 2024-01-01T04:00:00Z', async () => {
    await withModule(
      [EcpayModule.forRoot({ ...STAGE_OPTIONS, clock: { now: () => new Date('2024-01-01T04:00:00Z') } })],
      (module) => {
        const envelope = module.get(EcpayCryptoService).buildRequest({ MerchantTradeNo: 'T0001' });
        expect(envelope.RqHeader.Timestamp).toBe(1704081600);
        expect(envelope.MerchantID).toBe('3002607');
        expect(decryptEcpayData(envelope.Data, STAGE_KEYS)).toEqual({ MerchantTradeNo: 'T0001' });
      },
    );
  });

  it('a moving clock is read on every call', async () => {
    let now = new Date('2024-01-01T04:00:00.900Z');
    await withModule([EcpayModule.forRoot({ ...STAGE_OPTIONS, clock: { now: () => now } })], (module) => {
      const crypto = module.get(EcpayCryptoService);
      const first = crypto.buildRequest({ MerchantTradeNo: 'T0002' }).RqHeader.Timestamp;
      now = new Date('2024-06-30T16:00:05Z');
      const second = crypto.buildRequest({ MerchantTradeNo: 'T0002' }).RqHeader.Timestamp;
      expect(first).toBe(1704081600);
      expect(second).toBe(1719763205);
    });
  });

  it('without a clock option the system clock is used', async () => {
    await withModule([EcpayModule.forRoot(STAGE_OPTIONS)], (module) => {
      const before = Math.floor(Date.now() / 1000);
      const timestamp = module.get(EcpayCryptoService).buildRequest({ MerchantTradeNo: 'T0003' }).RqHeader.Timestamp;
      const after = Math.floor(Date.now() / 1000);
      expect(timestamp).toBeGreaterThanOrEqual(before);
      expect(timestamp).toBeLessThanOrEqual(after);
    });
  });

  it("a clock without now() is a configuration error naming 'clock'", async () => {
    const error = await compileError([EcpayModule.forRoot({ ...STAGE_OPTIONS, clock: {} as never })]);
    expectConfigError(error, [{ option: 'clock', rule: /must be an object with a now\(\): Date method/ }], []);
  });
});
