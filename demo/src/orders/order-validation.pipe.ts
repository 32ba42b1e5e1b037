import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

/**
 * Validates a request body against its DTO and answers 400 with the same shape as a broken ECPay rule:
 * `{ message, issues: [{ field, rule, message }] }`, the field as a path (`items[0].price`).
 */
export const orderValidationPipe = new ValidationPipe({
  transform: true,
  whitelist: true,
  forbidNonWhitelisted: true,
  exceptionFactory: (errors) => new BadRequestException({ message: 'The order is invalid', issues: flatten(errors) }),
});

function flatten(errors: readonly ValidationError[], parent = ''): { field: string; rule: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = /^\d+$/.test(error.property)
      ? `${parent}[${error.property}]`
      : parent
        ? `${parent}.${error.property}`
        : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({ field, rule, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
