// Public API of @attest/registry: the pure core (no NestJS, no TypeORM).
export {};
