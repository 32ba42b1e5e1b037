import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

/** The payment methods the demo offers through `POST /api/orders`. */
export const DEMO_PAYMENT_METHODS = ['Credit', 'ATM', 'CVS', 'BARCODE', 'ALL'] as const;
export type DemoPaymentMethod = (typeof DEMO_PAYMENT_METHODS)[number];

export class OrderItemDto {
  @IsString()
  @Length(1, 100)
  name!: string;

  /** Integer TWD: ECPay takes no decimals. */
  @IsInt()
  @Min(1)
  price!: number;

  @IsInt()
  @Min(1)
  @Max(999)
  quantity!: number;
}

/** `POST /api/orders` body: `{ "items": [{ "name", "price", "quantity" }], "method"?: "Credit" | … }`. */
export class CreateOrderDto {
  @ValidateNested({ each: true })
  @Type(() => OrderItemDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  items!: OrderItemDto[];

  @IsOptional()
  @IsIn(DEMO_PAYMENT_METHODS)
  method?: DemoPaymentMethod;
}
