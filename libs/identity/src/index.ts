// Public API of @attest/identity: the pure core (no NestJS, no TypeORM).
export {};
