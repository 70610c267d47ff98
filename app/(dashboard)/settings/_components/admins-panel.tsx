"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { UsersIcon } from "lucide-react";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { useTRPC } from "@/app/_trpc/react";
import { formatDateTime } from "@/components/i18n/format";
import { useLocale, useT } from "@/components/i18n/i18n-provider";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { errorMessageOf, fieldErrorsOf } from "@/app/_trpc/errors";

type Role = "owner" | "admin" | "viewer";
const ROLES: Role[] = ["owner", "admin", "viewer"];

export function AdminsPanel({ currentAdminId }: { currentAdminId: string }) {
  const trpc = useTRPC();
  const t = useT();
  const locale = useLocale();
  const queryClient = useQueryClient();
  const admins = useQuery(trpc.admins.list.queryOptions());
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.admins.list.queryKey() });
  const onError = (error: unknown) => toast.error(errorMessageOf(error, t));
  const setRole = useMutation(trpc.admins.setRole.mutationOptions({ onSuccess: () => (toast.success(t("admins.roleChanged")), invalidate()), onError }));
  const setDisabled = useMutation(
    trpc.admins.setDisabled.mutationOptions({ onSuccess: (a) => (toast.success(t(a.isDisabled ? "admins.disabledToast" : "admins.enabledToast")), invalidate()), onError }),
  );

  return (
    <Card>
      <CardHeader>
        <CardTitle>{t("admins.title")}</CardTitle>
        <CardDescription>{t("admins.description")}</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-6">
        {admins.isPending ? (
          <Skeleton className="h-32 w-full" />
        ) : admins.data?.length ? (
          <Table aria-label={t("admins.title")} stacked>
            <TableHeader>
              <TableRow>
                <TableHead>{t("common.username")}</TableHead>
                <TableHead>{t("admins.col.role")}</TableHead>
                <TableHead>{t("admins.col.status")}</TableHead>
                <TableHead>{t("admins.col.lastSignIn")}</TableHead>
                <TableHead className="text-right">{t("common.actions")}</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {admins.data.map((a) => (
                <TableRow key={a.id}>
                  <TableCell data-cell="title" className="font-medium">
                    {a.username}
                  </TableCell>
                  <TableCell data-label={t("admins.col.role")}>
                    <Select
                      aria-label={t("admins.roleOf", { name: a.username })}
                      value={a.role}
                      disabled={a.id === currentAdminId || setRole.isPending}
                      onChange={(e) => setRole.mutate({ adminId: a.id, role: e.target.value as Role })}
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {t(`roleValue.${r}`)}
                        </option>
                      ))}
                    </Select>
                  </TableCell>
                  <TableCell data-label={t("admins.col.status")}>
                    {a.isDisabled ? (
                      <Badge variant="outline">{t("admins.status.disabled")}</Badge>
                    ) : (
                      <Badge variant="secondary">{t("admins.status.active")}</Badge>
                    )}
                  </TableCell>
                  <TableCell data-label={t("admins.col.lastSignIn")} className="text-muted-foreground">
                    {a.lastLoginAt ? formatDateTime(locale, a.lastLoginAt) : t("common.never")}
                  </TableCell>
                  <TableCell className="text-right max-sm:self-end max-sm:text-left">
                    {a.id === currentAdminId ? (
                      <span className="text-xs text-muted-foreground">{t("admins.you")}</span>
                    ) : (
                      <Button variant="outline" size="sm" onClick={() => setDisabled.mutate({ adminId: a.id, isDisabled: !a.isDisabled })}>
                        {t(a.isDisabled ? "common.enable" : "common.disable")}
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        ) : (
          <EmptyState icon={UsersIcon} title={t("admins.empty.title")} description={t("admins.empty.description")} />
        )}
        <AddAdminForm onCreated={invalidate} />
      </CardContent>
    </Card>
  );
}

function AddAdminForm({ onCreated }: { onCreated: () => void }) {
  const trpc = useTRPC();
  const t = useT();
  const [fields, setFields] = useState<Record<string, string>>({});
  const create = useMutation(
    trpc.admins.create.mutationOptions({
      onSuccess: (admin) => {
        toast.success(t("admins.addedToast", { name: admin.username }));
        setFields({});
        onCreated();
      },
      onError: (error) => {
        const errors = fieldErrorsOf(error);
        setFields(errors);
        if (!Object.keys(errors).length) toast.error(errorMessageOf(error, t));
      },
    }),
  );

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate(
      { username: String(form.get("username") ?? ""), password: String(form.get("password") ?? ""), role: String(form.get("role")) as Role },
      { onSuccess: () => (event.target as HTMLFormElement).reset() },
    );
  }

  return (
    <form onSubmit={submit} className="grid gap-4 border-t pt-6 sm:grid-cols-[1fr_1fr_10rem_auto] sm:items-start" aria-label={t("admins.add")}>
      <FormField label={t("common.username")} error={fields.username} required>
        <Input name="username" autoComplete="off" />
      </FormField>
      <FormField label={t("common.password")} error={fields.password} description={t("admins.passwordHint")} required>
        <Input name="password" type="password" autoComplete="new-password" />
      </FormField>
      <FormField label={t("admins.col.role")} error={fields.role}>
        <Select name="role" defaultValue="viewer">
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`roleValue.${r}`)}
            </option>
          ))}
        </Select>
      </FormField>
      <Button type="submit" className="sm:mt-7" disabled={create.isPending}>
        {t("admins.add")}
      </Button>
    </form>
  );
}
