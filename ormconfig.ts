import { DataSource } from 'typeorm';

/**
 * The DataSource the TypeORM CLI uses to generate and run this library's migrations. It is the embedded default,
 * SQLite through sql.js (pure WebAssembly, nothing to compile or run); the PostgreSQL and MariaDB/MySQL variants,
 * the entities and the committed migrations arrive with the persistence work of the checkout issue.
 */
export default new DataSource({
  type: 'sqljs',
  autoSave: false,
  entities: [],
  migrations: [],
});
