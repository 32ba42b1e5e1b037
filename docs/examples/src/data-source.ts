import 'reflect-metadata';
import { ECPAY_ENTITIES, ECPAY_MIGRATIONS } from 'nestjs-ecpay';
import { DataSource } from 'typeorm';

// For the TypeORM CLI: `npx typeorm migration:run -d dist/data-source.js` (after your build).
export default new DataSource({
  type: 'postgres',
  url: process.env.DATABASE_URL,
  entities: [...ECPAY_ENTITIES],
  migrations: [...ECPAY_MIGRATIONS],
});
