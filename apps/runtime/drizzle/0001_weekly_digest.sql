CREATE TABLE "held_emails" (
	"outbox_id" bigint PRIMARY KEY NOT NULL,
	"held_at" timestamp with time zone NOT NULL,
	"subject" text NOT NULL,
	"html" text NOT NULL,
	"text" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "digest_id" bigint;--> statement-breakpoint
ALTER TABLE "held_emails" ADD CONSTRAINT "held_emails_outbox_id_outbox_id_fk" FOREIGN KEY ("outbox_id") REFERENCES "public"."outbox"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "outbox_held" ON "outbox" USING btree ("workspace_id","contact_id") WHERE "outbox"."status" = 'held';