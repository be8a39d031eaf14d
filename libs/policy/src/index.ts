// Public API of @attest/policy: the pure core (no NestJS, no TypeORM).
export {};
