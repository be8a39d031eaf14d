// Public API of @attest/inference: the pure core (no NestJS, no TypeORM).
export {};
