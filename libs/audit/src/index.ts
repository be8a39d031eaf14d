// Public API of @attest/audit: the pure core (no NestJS, no TypeORM).
export {};
