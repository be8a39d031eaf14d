// Public API of @attest/pii: the pure core (no NestJS, no TypeORM).
export {};
