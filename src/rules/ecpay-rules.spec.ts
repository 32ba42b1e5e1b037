import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AIO_AMOUNT_LIMITS as publicLimits } from '../index.js';
import {
  AIO_AMOUNT_LIMITS,
  AIO_MAX_LENGTH,
  BACK_AUTH_MAX_LENGTH,
  CREDIT_INSTALLMENTS,
  PERIOD_BOUNDS,
} from './index.js';

const folder = join(process.cwd(), 'src', 'rules');
const sources = readdirSync(folder).filter((name) => name.endsWith('.ts') && !name.endsWith('.spec.ts'));

describe('the ECPay rules module', () => {
  // Every concern imports these tables; one import from src here would make a cycle with whoever it names.
  it.each(sources)('%s imports nothing from the rest of src', (name) => {
    const imports = [...readFileSync(join(folder, name), 'utf8').matchAll(/\bfrom\s+'([^']+)'/g)].map(
      (match) => match[1],
    );
    expect(imports.filter((path) => !path!.startsWith('./'))).toEqual([]);
  });

  it('is where the public AIO_AMOUNT_LIMITS comes from', () => {
    expect(publicLimits).toBe(AIO_AMOUNT_LIMITS);
  });

  it('holds the periodic, installment and length rules the validators apply', () => {
    expect(PERIOD_BOUNDS).toEqual({
      D: { frequency: 365, execTimes: 999 },
      M: { frequency: 12, execTimes: 99 },
      Y: { frequency: 1, execTimes: 9 },
    });
    expect([...CREDIT_INSTALLMENTS]).toEqual(['3', '6', '12', '18', '24', '30', '30N']);
    expect(AIO_MAX_LENGTH.MerchantTradeNo).toBe(20);
    expect(BACK_AUTH_MAX_LENGTH['OrderInfo.ItemName']).toBe(AIO_MAX_LENGTH.ItemName);
  });
});
