import { GovernanceModule } from '@attest/governance/nest';
import { Module } from '@nestjs/common';
import { CompletionResponder } from './completion-responder';
import { OpenAiController } from './openai.controller';

@Module({
  imports: [GovernanceModule],
  controllers: [OpenAiController],
  providers: [CompletionResponder],
})
export class OpenAiModule {}
