import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, IsInt, IsString, Length, Max, Min, ValidateNested } from 'class-validator';

export class CartLineDto {
  @IsString()
  @Length(1, 50)
  name!: string;

  /** Integer TWD. */
  @IsInt()
  @Min(1)
  price!: number;

  @IsInt()
  @Min(1)
  @Max(99)
  quantity!: number;
}

export class CartDto {
  @ArrayNotEmpty()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => CartLineDto)
  lines!: CartLineDto[];
}
