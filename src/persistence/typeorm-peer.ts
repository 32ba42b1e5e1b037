import { createRequire } from 'node:module';
import type * as TypeOrm from 'typeorm';
import { EcpayConfigError } from '../errors/ecpay-config.error.js';

/**
 * `typeorm` is an optional peer: an app with `persistence: false` signs, verifies and checks out without it. The
 * entities and stores are still part of the public API, so their files load in every app; they take typeorm's
 * decorators and query helpers from here instead of importing `typeorm` directly.
 *
 * Loaded synchronously, because entity decorators run when their class is defined. Node's `require` returns the
 * app's own instance: typeorm 0.3 is CommonJS, and typeorm 1's ESM entry is a wrapper over the same CommonJS build.
 * Without typeorm the decorators record nothing and every query helper throws an error naming the missing package
 * (only code behind `persistence: true` reaches one, and that option refuses to boot without typeorm anyway).
 */
const typeorm = loadTypeOrm();

/** True when the app has typeorm installed. */
export const typeOrmInstalled = typeorm !== undefined;

function loadTypeOrm(): typeof TypeOrm | undefined {
  try {
    return createRequire(import.meta.url)('typeorm') as typeof TypeOrm;
  } catch (error) {
    // Only typeorm's own absence is optional; a broken install (a missing dependency of typeorm) must surface.
    const missing =
      (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' &&
      /'typeorm'/.test(String((error as Error).message).split('\n')[0] ?? '');
    if (missing) return undefined;
    throw error;
  }
}

/** The error for code that needs the database in an app without typeorm. */
export function typeOrmMissingError(what: string): EcpayConfigError {
  return new EcpayConfigError([
    {
      option: 'persistence',
      message: `${what} needs the packages 'typeorm' and '@nestjs/typeorm' (npm install typeorm @nestjs/typeorm); set persistence: false for an app without a database`,
    },
  ]);
}

type TypeOrmExports = typeof TypeOrm;

const inertDecorator = (): (() => void) => () => undefined;

function needsTypeOrm(name: string): unknown {
  // A plain function, so that `new Table(...)` reaches the throw too.
  return function missingTypeOrm(): never {
    throw typeOrmMissingError(`typeorm's ${name}`);
  };
}

function pick<K extends keyof TypeOrmExports>(name: K, fallback: unknown): TypeOrmExports[K] {
  return (typeorm ? typeorm[name] : fallback) as TypeOrmExports[K];
}

// Decorators: inert without typeorm, so that the entity classes can be defined (and exported) anyway.
export const Entity = pick('Entity', inertDecorator);
export const Index = pick('Index', inertDecorator);
export const Column = pick('Column', inertDecorator);
export const PrimaryColumn = pick('PrimaryColumn', inertDecorator);
export const CreateDateColumn = pick('CreateDateColumn', inertDecorator);
export const UpdateDateColumn = pick('UpdateDateColumn', inertDecorator);
export const VersionColumn = pick('VersionColumn', inertDecorator);
export const BeforeInsert = pick('BeforeInsert', inertDecorator);
export const BeforeUpdate = pick('BeforeUpdate', inertDecorator);

// Query helpers and the migrations' schema builder: they only run against a database.
export const In = pick('In', needsTypeOrm('In'));
export const Not = pick('Not', needsTypeOrm('Not'));
export const IsNull = pick('IsNull', needsTypeOrm('IsNull'));
export const LessThan = pick('LessThan', needsTypeOrm('LessThan'));
export const LessThanOrEqual = pick('LessThanOrEqual', needsTypeOrm('LessThanOrEqual'));
export const MoreThanOrEqual = pick('MoreThanOrEqual', needsTypeOrm('MoreThanOrEqual'));
export const Raw = pick('Raw', needsTypeOrm('Raw'));
export const Table = pick('Table', needsTypeOrm('Table'));
export const TableColumn = pick('TableColumn', needsTypeOrm('TableColumn'));
