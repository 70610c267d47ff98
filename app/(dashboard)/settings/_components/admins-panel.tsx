"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { UsersIcon } from "lucide-react";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { useTRPC } from "@/app/_trpc/react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { fieldErrorsOf } from "@/app/_trpc/errors";

type Role = "owner" | "admin" | "viewer";
const ROLES: Role[] = ["owner", "admin", "viewer"];

export function AdminsPanel({ currentAdminId }: { currentAdminId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const admins = useQuery(trpc.admins.list.queryOptions());
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.admins.list.queryKey() });
  const onError = (error: { message: string }) => toast.error(error.message);
  const setRole = useMutation(trpc.admins.setRole.mutationOptions({ onSuccess: () => (toast.success("Role changed"), invalidate()), onError }));
  const setDisabled = useMutation(
    trpc.admins.setDisabled.mutationOptions({ onSuccess: (a) => (toast.success(a.isDisabled ? "Admin disabled" : "Admin enabled"), invalidate()), onError }),
  );

  return (
    <Card>
      <CardHeader>
        <CardTitle>Admins</CardTitle>
        <CardDescription>Owners manage admins and settings; admins manage nodes and users; viewers only look.</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-6">
        {admins.isPending ? (
          <Skeleton className="h-32 w-full" />
        ) : admins.data?.length ? (
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Username</TableHead>
                <TableHead>Role</TableHead>
                <TableHead>Status</TableHead>
                <TableHead>Last sign-in</TableHead>
                <TableHead className="text-right">Actions</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {admins.data.map((a) => (
                <TableRow key={a.id}>
                  <TableCell className="font-medium">{a.username}</TableCell>
                  <TableCell>
                    <Select
                      aria-label={`Role of ${a.username}`}
                      value={a.role}
                      disabled={a.id === currentAdminId || setRole.isPending}
                      onChange={(e) => setRole.mutate({ adminId: a.id, role: e.target.value as Role })}
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </Select>
                  </TableCell>
                  <TableCell>
                    {a.isDisabled ? <Badge variant="outline">disabled</Badge> : a.isLocked ? <Badge variant="outline">locked</Badge> : <Badge variant="secondary">active</Badge>}
                  </TableCell>
                  <TableCell className="text-muted-foreground">{a.lastLoginAt ? new Date(a.lastLoginAt).toLocaleString() : "never"}</TableCell>
                  <TableCell className="text-right">
                    {a.id === currentAdminId ? (
                      <span className="text-xs text-muted-foreground">you</span>
                    ) : (
                      <Button variant="outline" size="sm" onClick={() => setDisabled.mutate({ adminId: a.id, isDisabled: !a.isDisabled })}>
                        {a.isDisabled ? "Enable" : "Disable"}
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        ) : (
          <EmptyState icon={UsersIcon} title="No admins" description="Add the first admin below." />
        )}
        <AddAdminForm onCreated={invalidate} />
      </CardContent>
    </Card>
  );
}

function AddAdminForm({ onCreated }: { onCreated: () => void }) {
  const trpc = useTRPC();
  const [fields, setFields] = useState<Record<string, string>>({});
  const create = useMutation(
    trpc.admins.create.mutationOptions({
      onSuccess: (admin) => {
        toast.success(`Added ${admin.username}`);
        setFields({});
        onCreated();
      },
      onError: (error) => {
        const errors = fieldErrorsOf(error);
        setFields(errors);
        if (!Object.keys(errors).length) toast.error(error.message);
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
    <form onSubmit={submit} className="grid gap-4 border-t pt-6 sm:grid-cols-[1fr_1fr_10rem_auto] sm:items-start" aria-label="Add admin">
      <FormField label="Username" error={fields.username} required>
        <Input name="username" autoComplete="off" />
      </FormField>
      <FormField label="Password" error={fields.password} description="At least 10 characters." required>
        <Input name="password" type="password" autoComplete="new-password" />
      </FormField>
      <FormField label="Role" error={fields.role}>
        <Select name="role" defaultValue="viewer">
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </Select>
      </FormField>
      <Button type="submit" className="sm:mt-7" disabled={create.isPending}>
        Add admin
      </Button>
    </form>
  );
}
