import { createHash } from 'node:crypto';
import type { DataSource, EntityManager, EntityMetadata, QueryDeepPartialEntity } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import type { EcpayTradeChanges } from '../persistence/ecpay-trade.store.js';
import { usesOneConnection } from '../persistence/exclusive-write.js';
import { EcpayTrade } from '../persistence/ecpay-trade.entity.js';
import { EcpayNotification } from '../persistence/ecpay-notification.entity.js';
import type { ExpectedTrade, TradeSnapshot } from './notification-decision.js';

/** The stored trade a notification is decided against, with the version its write is guarded by. */
export interface LockedTrade extends TradeSnapshot {
  readonly id: string;
  readonly version: number;
}

/** What one read finds: the trade (null for an orphan) and, for a retry of ECPay's, the inbox row stored before. */
export interface InboxRead {
  readonly trade: LockedTrade | null;
  readonly earlier: EcpayNotification | null;
}

/** The smallest surface of a `pg` Pool this file uses (TypeORM's PostgreSQL driver keeps one as `master`). */
interface PgPool {
  query(config: {
    name?: string;
    text: string;
    values: unknown[];
  }): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

/**
 * The SQL of the notification path, built once per DataSource from the entities' TypeORM metadata (so column names,
 * value conversions and identifier quoting are TypeORM's own), and run as few round trips as the database allows:
 *
 * - one read: the trade and, when this is a retry of ECPay's, the earlier inbox row, in one statement;
 * - one write, atomic and guarded by the version read: on PostgreSQL a single statement (a data-modifying CTE
 *   updates the trade and inserts the inbox row only if the update matched), sent as a named prepared statement;
 *   elsewhere a short transaction of the same two statements.
 *
 * A write whose guard fails (another notification changed the trade since the read) writes nothing and reports it,
 * and the caller reads again: optimistic concurrency instead of holding a row lock across the decision. A copy of
 * the notification stored concurrently makes the insert break the inbox's unique index, which aborts the whole
 * write too.
 */
export class NotificationInbox {
  private static readonly cache = new WeakMap<DataSource, Map<boolean, NotificationInbox>>();

  /**
   * The inbox of a DataSource. `preparedStatements: false` (PostgreSQL behind a pooler in transaction mode, such as
   * PgBouncer, where a named statement prepared on one server connection is missing on the next) sends the same
   * statements unnamed: still one round trip each, parsed every time.
   */
  static of(dataSource: DataSource, options: { readonly preparedStatements?: boolean } = {}): NotificationInbox {
    const prepared = options.preparedStatements !== false;
    let inboxes = NotificationInbox.cache.get(dataSource);
    if (!inboxes) NotificationInbox.cache.set(dataSource, (inboxes = new Map()));
    let inbox = inboxes.get(prepared);
    if (!inbox) inboxes.set(prepared, (inbox = new NotificationInbox(dataSource, prepared)));
    return inbox;
  }

  private readonly trades: EntityMetadata;
  private readonly notifications: EntityMetadata;
  private readonly postgres: boolean;
  private readonly readSql: string;
  private readonly insertColumns: readonly ColumnMetadata[];
  private readonly writeSql = new Map<string, string>();
  private readonly statementNames = new Map<string, string>();

  private constructor(
    private readonly dataSource: DataSource,
    private readonly preparedStatements: boolean,
  ) {
    this.trades = dataSource.getMetadata(EcpayTrade);
    this.notifications = dataSource.getMetadata(EcpayNotification);
    this.postgres = dataSource.options.type === 'postgres';
    const q = (name: string) => dataSource.driver.escape(name);
    const t = (property: string) => `t.${q(this.column(this.trades, property).databaseName)}`;
    const notificationColumns = this.notifications.columns.map(
      (c) => `n.${q(c.databaseName)} AS ${q(`n_${c.databaseName}`)}`,
    );
    this.readSql =
      `SELECT ${t('id')} AS ${q('t_id')}, ${t('version')} AS ${q('t_version')}, ${t('status')} AS ${q('t_status')}, ` +
      `${t('totalAmount')} AS ${q('t_total_amount')}, ${t('ecpayTradeNo')} AS ${q('t_ecpay_trade_no')}, ${notificationColumns.join(', ')} ` +
      `FROM (SELECT 1 AS ${q('one')}) ${q('x')} ` +
      `LEFT JOIN ${q(this.trades.tableName)} t ON ${t('merchantId')} = ${this.param(1)} AND ${t('merchantTradeNo')} = ${this.param(2)} ` +
      `LEFT JOIN ${q(this.notifications.tableName)} n ON n.${q(this.column(this.notifications, 'dedupeKey').databaseName)} = ${this.param(3)}`;
    this.insertColumns = this.notifications.columns;
  }

  async read(merchantId: string, merchantTradeNo: string, dedupeKey: string): Promise<InboxRead> {
    const rows = await this.run(this.readSql, [merchantId, merchantTradeNo, dedupeKey]);
    const row = rows[0] ?? {};
    const trade =
      row.t_id == null
        ? null
        : {
            id: String(row.t_id),
            version: Number(row.t_version),
            status: String(row.t_status) as LockedTrade['status'],
            totalAmount: Number(row.t_total_amount),
            // Tells a confirmation (same TradeNo) from a contradiction when a trade is already paid.
            ecpayTradeNo: row.t_ecpay_trade_no == null ? null : String(row.t_ecpay_trade_no),
          };
    return { trade, earlier: row.n_id == null ? null : this.hydrate(row) };
  }

  /**
   * Stores the notification and, when it has a trade, bumps the trade's version with its changes — both or neither.
   * False when the trade's version is no longer `trade.version`: nothing was written.
   *
   * `sideEffect` (e.g. recording a bound card) runs in the same transaction AFTER the inbox row is inserted: a copy
   * already stored breaks the unique dedupe key first and the whole transaction — side effect included — is undone.
   */
  async write(
    notification: EcpayNotification,
    trade: LockedTrade | null,
    changes: EcpayTradeChanges | undefined,
    now: Date,
    sideEffect?: (manager: EntityManager) => Promise<void>,
  ): Promise<boolean> {
    if (!this.postgres || sideEffect) return this.writeInTransaction(notification, trade, changes, now, sideEffect);
    const insertValues = this.insertColumns.map((c) =>
      this.dataSource.driver.preparePersistentValue(c.getEntityValue(notification), c),
    );
    if (!trade) {
      await this.run(this.insertSql(0), insertValues);
      return true;
    }
    const set = this.setClause(changes, now);
    const key = `write:${set.key}`;
    const text = this.writeSql.get(key) ?? this.cacheWriteSql(key, set.columns, insertValues.length);
    const rows = await this.run(text, [...insertValues, ...set.values, trade.id, trade.version]);
    return rows.length === 1;
  }

  /** Whether {@link writeIfExpected} can apply a notification in one statement here (PostgreSQL). */
  get writesInOneStatement(): boolean {
    return this.postgres;
  }

  /**
   * PostgreSQL: stores the notification with the decision of `expected` in ONE statement — a single round trip —
   * if its trade is in one of the expected states with the expected amount; the notification's `tradeId` is set
   * from the trade it was applied to. Undefined when the trade is elsewhere (or missing, or already has this
   * notification's state): nothing was written, and the caller reads and decides.
   */
  async writeIfExpected(
    notification: EcpayNotification,
    expected: ExpectedTrade,
    now: Date,
  ): Promise<string | undefined> {
    const set = this.setClause(expected.decision.changes, now);
    const amount = expected.totalAmount !== undefined;
    const key = `expect:${amount ? 'amount:' : ''}${set.key}`;
    const tradeIdIndex = this.insertColumns.findIndex((c) => c.propertyName === 'tradeId');
    // Every column but trade_id, which comes from the guard (PostgreSQL refuses a parameter no statement uses).
    const values = this.insertColumns
      .filter((_, i) => i !== tradeIdIndex)
      .map((c) => this.dataSource.driver.preparePersistentValue(c.getEntityValue(notification), c));
    const text = this.writeSql.get(key) ?? this.cacheExpectSql(key, set.columns, amount, tradeIdIndex);
    const guard = [
      notification.merchantId,
      notification.merchantTradeNo,
      [...expected.statuses],
      ...(amount ? [expected.totalAmount] : []),
    ];
    const rows = await this.run(text, [...values, ...set.values, ...guard]);
    const tradeId = rows[0]?.trade_id;
    if (tradeId == null) return undefined;
    notification.tradeId = String(tradeId);
    return notification.tradeId;
  }

  private cacheExpectSql(key: string, setColumns: readonly string[], amount: boolean, tradeIdIndex: number): string {
    const q = (identifier: string) => this.dataSource.driver.escape(identifier);
    const col = (property: string) => q(this.column(this.trades, property).databaseName);
    const version = col('version');
    const inserted = this.insertColumns.length - 1; // trade_id is not a parameter
    const sets = setColumns.map((column, i) => `${q(column)} = ${this.param(inserted + i + 1)}`);
    sets.push(setColumns.length ? `${version} = ${version} + 1` : `${version} = ${version}`);
    let at = inserted + setColumns.length;
    const where = [
      `${col('merchantId')} = ${this.param(++at)}`,
      `${col('merchantTradeNo')} = ${this.param(++at)}`,
      `${col('status')} = ANY(${this.param(++at)})`,
      ...(amount ? [`${col('totalAmount')} = ${this.param(at + 1)}`] : []),
    ];
    const columns = this.insertColumns.map((c) => q(c.databaseName)).join(', ');
    const values = this.insertColumns
      .map((_, i) => (i === tradeIdIndex ? `${q('guard')}.${col('id')}` : this.param(i < tradeIdIndex ? i + 1 : i)))
      .join(', ');
    const text =
      `WITH ${q('guard')} AS (UPDATE ${q(this.trades.tableName)} SET ${sets.join(', ')} WHERE ${where.join(' AND ')} RETURNING ${col('id')}) ` +
      `INSERT INTO ${q(this.notifications.tableName)} (${columns}) SELECT ${values} FROM ${q('guard')} ` +
      `RETURNING ${q(this.column(this.notifications, 'tradeId').databaseName)} AS ${q('trade_id')}`;
    this.writeSql.set(key, text);
    return text;
  }

  private async writeInTransaction(
    notification: EcpayNotification,
    trade: LockedTrade | null,
    changes: EcpayTradeChanges | undefined,
    now: Date,
    sideEffect?: (manager: EntityManager) => Promise<void>,
  ): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      if (trade && hasChanges(changes)) {
        // TypeORM adds `version = version + 1` to every update of an entity with a version column.
        const result = await manager
          .getRepository(EcpayTrade)
          .update({ id: trade.id, version: trade.version }, { ...changes, updatedAt: now });
        if (result.affected !== 1) return false;
      } else if (trade && usesOneConnection(this.dataSource)) {
        // Nothing to change, but the decision still rests on the state read. SQLite has no row lock (SELECT … FOR
        // UPDATE): an update that leaves the row as it is takes the database's write lock and checks the version, so
        // a write since the read by another process on the same file (the read ran outside this transaction) is seen.
        const q = (property: string) => this.dataSource.driver.escape(this.column(this.trades, property).databaseName);
        const held = await manager
          .createQueryBuilder()
          .update(EcpayTrade)
          .set({ version: () => q('version'), updatedAt: () => q('updatedAt') })
          .where(`${q('id')} = :id AND ${q('version')} = :version`, { id: trade.id, version: trade.version })
          .execute();
        if (held.affected !== 1) return false;
      } else if (trade) {
        // Nothing to change, but the decision still rests on the state read: hold the row and check its version.
        const held = await manager
          .getRepository(EcpayTrade)
          .createQueryBuilder('t')
          .select('t.id')
          .where('t.id = :id AND t.version = :version', { id: trade.id, version: trade.version })
          .setLock('pessimistic_write')
          .getRawMany();
        if (held.length !== 1) return false;
      }
      // TypeORM's deep-partial type cannot see through the payload's open JSON type; the object is a full entity.
      await manager.getRepository(EcpayNotification).insert(notification as QueryDeepPartialEntity<EcpayNotification>);
      if (sideEffect) await sideEffect(manager);
      return true;
    });
  }

  /**
   * The SET list of the trade's update: its changes, `updated_at`, and the version bump that fences the decision.
   * With no changes the update only holds the row and checks its version, and leaves it as it was.
   */
  private setClause(
    changes: EcpayTradeChanges | undefined,
    now: Date,
  ): { key: string; columns: string[]; values: unknown[] } {
    if (!hasChanges(changes)) return { key: 'unchanged', columns: [], values: [] };
    const entries = Object.entries({ ...changes, updatedAt: now }).filter(([, value]) => value !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : 1)); // a stable statement name per set of columns
    const columns: string[] = [];
    const values: unknown[] = [];
    for (const [property, value] of entries) {
      const column = this.column(this.trades, property);
      columns.push(column.databaseName);
      values.push(this.dataSource.driver.preparePersistentValue(value, column));
    }
    return { key: columns.join('_'), columns, values };
  }

  private cacheWriteSql(key: string, setColumns: readonly string[], insertCount: number): string {
    const q = (identifier: string) => this.dataSource.driver.escape(identifier);
    const version = q(this.column(this.trades, 'version').databaseName);
    const sets = setColumns.map((column, i) => `${q(column)} = ${this.param(insertCount + i + 1)}`);
    sets.push(setColumns.length ? `${version} = ${version} + 1` : `${version} = ${version}`);
    const at = insertCount + setColumns.length;
    const text =
      `WITH ${q('guard')} AS (UPDATE ${q(this.trades.tableName)} SET ${sets.join(', ')} ` +
      `WHERE ${q(this.column(this.trades, 'id').databaseName)} = ${this.param(at + 1)} AND ${version} = ${this.param(at + 2)} RETURNING 1) ` +
      `${this.insertSql(1)} RETURNING 1`;
    this.writeSql.set(key, text);
    return text;
  }

  /** INSERT of the inbox row; with `guarded`, only when the trade's update (the `guard` CTE) matched. */
  private insertSql(guarded: 0 | 1): string {
    const q = (identifier: string) => this.dataSource.driver.escape(identifier);
    const columns = this.insertColumns.map((c) => q(c.databaseName)).join(', ');
    const values = this.insertColumns.map((_, i) => this.param(i + 1)).join(', ');
    const into = `INSERT INTO ${q(this.notifications.tableName)} (${columns}) `;
    return guarded ? `${into}SELECT ${values} WHERE EXISTS (SELECT 1 FROM ${q('guard')})` : `${into}VALUES (${values})`;
  }

  private hydrate(row: Record<string, unknown>): EcpayNotification {
    const notification = this.dataSource.getRepository(EcpayNotification).create();
    for (const column of this.notifications.columns) {
      column.setEntityValue(
        notification,
        this.dataSource.driver.prepareHydratedValue(row[`n_${column.databaseName}`], column),
      );
    }
    return notification;
  }

  /**
   * PostgreSQL: a named statement on TypeORM's own pool, parsed and planned once per connection. The name is a hash of
   * the text: PostgreSQL truncates names to 63 bytes, so descriptive names could collide. Unnamed when prepared
   * statements are off (a transaction-mode pooler). Elsewhere: TypeORM's query.
   */
  private async run(text: string, values: unknown[]): Promise<Record<string, unknown>[]> {
    if (!this.postgres) return this.dataSource.query(text, values);
    const pool = (this.dataSource.driver as unknown as { master: PgPool }).master;
    if (!this.preparedStatements) return (await pool.query({ text, values })).rows;
    let name = this.statementNames.get(text);
    if (!name)
      this.statementNames.set(text, (name = `ecpay_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`));
    const result = await pool.query({ name, text, values });
    return result.rows;
  }

  private param(index: number): string {
    return this.postgres ? `$${index}` : '?';
  }

  private column(metadata: EntityMetadata, property: string): ColumnMetadata {
    const column = metadata.findColumnWithPropertyName(property);
    if (!column) throw new Error(`${metadata.name} has no column for ${property}`);
    return column;
  }
}

function hasChanges(changes: EcpayTradeChanges | undefined): changes is EcpayTradeChanges {
  return changes !== undefined && Object.values(changes).some((value) => value !== undefined);
}
