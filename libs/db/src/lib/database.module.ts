import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DatabaseConnection } from './database-connection';

export const DATABASE_CONNECTION = Symbol('DATABASE_CONNECTION');

/**
 * Hands an already opened connection to Nest. Opening happens before the app is built, so that a bad
 * DATABASE_URL or a too-new schema stops start-up with a clear message instead of Nest's retry loop.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forConnection(connection: DatabaseConnection): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...connection.dataSource.options }),
          dataSourceFactory: async () => connection.dataSource,
        }),
      ],
      providers: [{ provide: DATABASE_CONNECTION, useValue: connection }],
      exports: [DATABASE_CONNECTION],
    };
  }
}
